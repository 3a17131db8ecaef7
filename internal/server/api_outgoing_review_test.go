package server_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"vanthu/internal/identity"
)

// uploadVersion posts a version over the API and returns the status and body.
func (e *ogEnv) uploadVersion(token string, id int64, name string, data []byte, note string) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.WriteField("note", note)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/outgoing/%d/versions", e.app.URL, id), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

type ogRound struct {
	Number      int    `json:"number"`
	Stage       string `json:"stage"`
	CurrentStep *int   `json:"current_step"`
	Reviews     []struct {
		ReviewerID int64   `json:"reviewer_id"`
		Decision   *string `json:"decision"`
	} `json:"reviews"`
}

// The circuit over the API: submit, review in turn, format check, the
// signer uploads the signed PDF and approves, the clerk issues, the
// sender tracks the copies. The first slice's approve keeps working for a
// draft never submitted (TestAPIOutgoingFlow) and waits for the circuit
// otherwise.
func TestAPIOutgoingCircuit(t *testing.T) {
	e := newOgEnv(t)
	reviewer := e.app.User("gopy", e.unit, identity.RoleHandler, identity.ClearanceNone)
	revTok := e.app.Token(reviewer)
	leaderID := e.app.QueryInt(`SELECT id FROM users WHERE login = 'lanhdao'`)
	meta := e.meta()
	meta["signer_id"] = leaderID
	d := e.create(e.drafter, meta, http.StatusCreated)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)

	e.call(e.drafter, "POST", p+"/submit", map[string]any{"signer_id": leaderID, "steps": [][]int64{{reviewer.ID, reviewer.ID}}, "extra": 1},
		http.StatusUnprocessableEntity, nil)
	e.call(e.leader, "POST", p+"/submit", map[string]any{"signer_id": leaderID}, http.StatusForbidden, nil)
	var round ogRound
	e.call(e.drafter, "POST", p+"/submit", map[string]any{"signer_id": leaderID, "steps": [][]int64{{reviewer.ID}}}, http.StatusOK, &round)
	if round.Stage != "review" || round.CurrentStep == nil || *round.CurrentStep != 1 || len(round.Reviews) != 1 {
		t.Fatalf("round = %+v", round)
	}
	// The first slice's approve waits for the circuit.
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusConflict, nil)
	e.call(e.outsider, "POST", p+"/review", map[string]string{"decision": "approve"}, http.StatusNotFound, nil)
	e.call(e.clerk, "POST", p+"/review", map[string]string{"decision": "approve"}, http.StatusForbidden, nil)
	e.call(revTok, "POST", p+"/review", map[string]string{"decision": "maybe"}, http.StatusUnprocessableEntity, nil)
	e.call(revTok, "POST", p+"/review", map[string]string{"decision": "approve", "note": "Nhất trí"}, http.StatusOK, &round)
	if round.Stage != "format" {
		t.Fatalf("after review: %+v", round)
	}
	e.call(e.drafter, "POST", p+"/format-check", map[string]string{"decision": "approve"}, http.StatusForbidden, nil)
	e.call(e.clerk, "POST", p+"/format-check", map[string]string{"decision": "approve"}, http.StatusOK, &round)
	if round.Stage != "signing" {
		t.Fatalf("after format check: %+v", round)
	}
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusConflict, nil) // no signed version yet
	if st, body := e.uploadVersion(e.drafter, d.ID, "v2.pdf", ogPDF, ""); st != http.StatusConflict {
		t.Fatalf("drafter uploads at signing: %d %s", st, body)
	}
	if st, body := e.uploadVersion(e.leader, d.ID, "da-ky.pdf", ogPDF, "Bản đã ký số"); st != http.StatusCreated {
		t.Fatalf("signer uploads: %d %s", st, body)
	}
	var versions struct {
		Items []struct {
			Version int    `json:"version"`
			Kind    string `json:"kind"`
		}
	}
	e.call(e.drafter, "GET", p+"/versions", nil, http.StatusOK, &versions)
	if len(versions.Items) != 2 || versions.Items[0].Kind != "signed" || versions.Items[1].Version != 1 {
		t.Fatalf("versions = %+v", versions.Items)
	}
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, nil)

	var tracking struct {
		Items []struct {
			Name   string  `json:"name"`
			Status *string `json:"status"`
			Label  string  `json:"label"`
		}
	}
	e.call(e.drafter, "GET", p+"/tracking", nil, http.StatusOK, &tracking)
	if len(tracking.Items) != 3 || tracking.Items[0].Label != "Đã đến, chờ vào sổ" || tracking.Items[2].Label != "Gửi ngoài hệ thống" {
		t.Fatalf("tracking = %+v", tracking.Items)
	}
	var rounds struct{ Items []ogRound }
	e.call(e.drafter, "GET", p+"/rounds", nil, http.StatusOK, &rounds)
	if len(rounds.Items) != 1 || rounds.Items[0].Stage != "approved" {
		t.Fatalf("rounds = %+v", rounds.Items)
	}
	var list struct {
		Items []struct {
			ID         int64  `json:"id"`
			StateLabel string `json:"state_label"`
		}
	}
	e.call(e.drafter, "GET", "/api/v1/outgoing?tab=issued&q=bao+cao+so+ket", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != d.ID || list.Items[0].StateLabel != "Đã phát hành" {
		t.Fatalf("list = %+v", list.Items)
	}
	e.call(e.drafter, "GET", "/api/v1/outgoing?tab=nope", nil, http.StatusUnprocessableEntity, nil)
	e.call(e.cA, "GET", p+"/tracking", nil, http.StatusNotFound, nil)

	// A correction over the API, linked to the issued document.
	cor := e.meta()
	cor["link"] = map[string]any{"kind": "corrects", "target_id": d.ID, "reason": "Sai ngày tháng ở phần căn cứ"}
	c := e.create(e.drafter, cor, http.StatusCreated)
	var links struct {
		Original *struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"original"`
	}
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/outgoing/%d/links", c.ID), nil, http.StatusOK, &links)
	if links.Original == nil || links.Original.ID != d.ID || links.Original.Kind != "corrects" {
		t.Fatalf("links = %+v", links)
	}
}
