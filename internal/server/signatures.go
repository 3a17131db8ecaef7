package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/outgoing"
	"vanthu/internal/signature"
	"vanthu/web"
)

// PDF signatures: the reports shown with files, and "verify again".

func (s *Server) signatureAPIRoutes(r chi.Router) {
	r.Post("/documents/{id}/signatures/verify", s.apiVerifySignatures)
}

func (s *Server) signaturePageRoutes(r chi.Router) {
	r.Post("/documents/{id:[0-9]+}/signatures/verify", s.verifySignaturesPage)
}

// apiFileSignature is a file's place and signature report in the API.
type apiFileSignature struct {
	Role         string                `json:"role"`
	SourceFileID *int64                `json:"source_file_id,omitempty"`
	Signature    *signature.FileReport `json:"signature"`
}

func fileSignatureJSON(ds signature.DocumentSignatures, fileID int64) apiFileSignature {
	f, ok := ds.Files[fileID]
	if !ok {
		return apiFileSignature{Role: signature.RoleOriginal}
	}
	return apiFileSignature{Role: f.Role, SourceFileID: f.SourceFileID, Signature: f.Report}
}

// addFileSignatures fills the role and signature report of API files.
func (s *Server) addFileSignatures(ctx context.Context, docID int64, files []apiFile) error {
	ds, err := s.signatures.ForDocument(ctx, docID)
	if err != nil {
		return err
	}
	for i := range files {
		files[i].apiFileSignature = fileSignatureJSON(ds, files[i].ID)
	}
	return nil
}

// apiOutgoingFile is an outgoing document's file in the API.
type apiOutgoingFile struct {
	outgoing.File
	apiFileSignature
}

// addOutgoingSignatures fills the files' signature reports and, once
// issued, whether the issued copy carries the agency's signature.
func (s *Server) addOutgoingSignatures(ctx context.Context, out *apiOutgoingJSON) error {
	ds, err := s.signatures.ForDocument(ctx, out.ID)
	if err != nil {
		return err
	}
	for i := range out.Files {
		out.Files[i].apiFileSignature = fileSignatureJSON(ds, out.Files[i].ID)
	}
	if ds.Issued {
		signed := ds.AgencySigned
		out.AgencySigned = &signed
	}
	return nil
}

// apiDocumentSignatures is the answer to "verify again".
type apiDocumentSignatures struct {
	DocumentID       int64             `json:"document_id"`
	TrustConfigured  bool              `json:"trust_configured"`
	AgencyConfigured bool              `json:"agency_configured"`
	AgencySigned     bool              `json:"agency_signed"`
	Files            []apiVerifiedFile `json:"files"`
}

type apiVerifiedFile struct {
	ID int64 `json:"id"`
	apiFileSignature
}

func (s *Server) apiVerifySignatures(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	ds, err := s.signatures.Reverify(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	files, err := s.docs.Files(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := apiDocumentSignatures{DocumentID: id, TrustConfigured: s.signatures.Setup().TrustConfigured(),
		AgencySigned: ds.AgencySigned, AgencyConfigured: ds.AgencyConfigured, Files: []apiVerifiedFile{}}
	for _, f := range files {
		if fs := ds.Files[f.ID]; fs.PDF {
			out.Files = append(out.Files, apiVerifiedFile{ID: f.ID, apiFileSignature: fileSignatureJSON(ds, f.ID)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) verifySignaturesPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	if _, err := s.signatures.Reverify(r.Context(), subjectFrom(r.Context()), s.actor(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	back := fmt.Sprintf("/documents/%d?ok=signatures#files-h", id)
	if d, err := s.docs.Get(r.Context(), subjectFrom(r.Context()), id); err == nil && d.Direction == "outgoing" {
		back = fmt.Sprintf("/outgoing/%d?ok=signatures#signatures", id)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// signaturePanel builds the signature part of a document page.
func (s *Server) signaturePanel(r *http.Request, docID int64) (web.SignaturePanel, error) {
	ds, err := s.signatures.ForDocument(r.Context(), docID)
	p := web.SignaturePanel{DocumentID: docID, Sigs: ds}
	if r.URL.Query().Get("ok") == "signatures" {
		p.Flash = &web.Flash{Kind: "ok", Message: "Đã kiểm tra lại chữ ký số của các tệp PDF theo danh sách chứng thư gốc tin cậy hiện hành."}
	}
	return p, err
}
