package server

import (
	"fmt"
	"strings"

	"vanthu/internal/outgoing"
	"vanthu/internal/signature"
	"vanthu/web"
)

// splitIssuedCopies takes the issued copies (the final version's PDFs with
// the agency's signature) out of the versions, so the page shows the
// drafts and the signed original apart from what the recipients got.
func splitIssuedCopies(versions []outgoing.Version, ds signature.DocumentSignatures) ([]outgoing.Version, []web.IssuedCopy) {
	var copies []web.IssuedCopy
	out := make([]outgoing.Version, 0, len(versions))
	for _, ver := range versions {
		files := make([]outgoing.VersionFile, 0, len(ver.Files))
		for _, f := range ver.Files {
			if ds.Files[f.ID].Role == signature.RoleIssuedCopy {
				copies = append(copies, web.IssuedCopy{Version: ver.Number, File: f})
				continue
			}
			files = append(files, f)
		}
		ver.Files = files
		out = append(out, ver)
	}
	return out, copies
}

// signedUploadFlash tells the signer, right after uploading the signed
// version, whether its signatures verified. The upload is kept either way:
// the signer decides whether to approve.
func signedUploadFlash(v web.OutgoingView, number int) *web.Flash {
	var ver *outgoing.Version
	for i := range v.Versions {
		if v.Versions[i].Number == number {
			ver = &v.Versions[i]
		}
	}
	if ver == nil {
		return &web.Flash{Kind: "ok", Message: web.OutgoingDoneMessage("version")}
	}
	var signers, problems []string
	pdfs := 0
	for _, f := range ver.Files {
		fs := v.Signatures.File(f.ID)
		if !fs.PDF {
			continue
		}
		pdfs++
		switch {
		case fs.Report == nil:
			problems = append(problems, f.Name+": chưa kiểm tra được chữ ký số")
		case fs.Report.Status != signature.StatusValid:
			msg := f.Name + ": " + fs.Report.Status.Label()
			if fs.Report.Reason != "" && fs.Report.Status != signature.StatusUnsigned {
				msg += " (" + strings.TrimSuffix(fs.Report.Reason, ".") + ")"
			}
			problems = append(problems, msg)
		default:
			for _, sg := range fs.Report.Signers {
				if sg.Name != "" && !containsString(signers, sg.Name) {
					signers = append(signers, sg.Name)
				}
			}
		}
	}
	if pdfs == 0 {
		return &web.Flash{Kind: "ok", Message: web.OutgoingDoneMessage("version")}
	}
	if len(problems) > 0 {
		return &web.Flash{Kind: "error", Message: fmt.Sprintf(
			"Đã tải lên bản đã ký (phiên bản %d), nhưng chữ ký số chưa hợp lệ — %s. Hãy kiểm tra lại tệp (hoặc ký lại và tải lên lần nữa) trước khi duyệt, ký ban hành.",
			number, strings.Join(problems, "; "))}
	}
	msg := fmt.Sprintf("Đã tải lên bản đã ký (phiên bản %d). Chữ ký số hợp lệ", number)
	if len(signers) > 0 {
		msg += ": " + strings.Join(signers, ", ")
	}
	return &web.Flash{Kind: "ok", Message: msg + "."}
}
