package server

import (
	"net/http"
	"strings"
)

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

// apiOperation describes one route for the OpenAPI document. Every /api/v1
// route must have one: a test walks the router and fails otherwise.
type apiOperation struct {
	Method, Path, Summary string
	Params                []obj
	Body                  obj // request body schema ref or inline schema
	BodyType              string
	Response              obj
	Status                string
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func queryParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

func pathParam(name string) obj {
	return obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "integer", "format": "int64"}}
}

var str = obj{"type": "string"}
var integer = obj{"type": "integer", "format": "int64"}

func listOf(item string) obj {
	return obj{"type": "object", "required": []string{"items", "next_cursor"}, "properties": obj{
		"items":       obj{"type": "array", "items": ref(item)},
		"next_cursor": obj{"type": "string", "description": "Pass as cursor for the next page; empty at the end."},
	}}
}

// apiOperations is the catalogue the document is built from.
func apiOperations() []apiOperation {
	return []apiOperation{
		{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This OpenAPI document", Response: obj{"type": "object"}},
		{Method: "GET", Path: "/api/v1/me", Summary: "The signed-in user and their units", Response: ref("Me")},
		{Method: "GET", Path: "/api/v1/units", Summary: "List or search units", Params: []obj{
			queryParam("level", "central, province, body, district, commune, grassroots or cell", obj{"type": "string",
				"enum": []string{"central", "province", "body", "district", "commune", "grassroots", "cell"}}),
			queryParam("parent_id", "Direct children of this unit", integer),
			queryParam("q", "Code or name, with or without diacritics", str),
			queryParam("valid_on", "Units existing on this day (default today)", obj{"type": "string", "format": "date"}),
			queryParam("cursor", "Opaque cursor from next_cursor", str),
			queryParam("limit", "Page size, 1–500 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("Unit")},
		{Method: "GET", Path: "/api/v1/units/{id}", Summary: "One unit with its predecessors and successors",
			Params: []obj{pathParam("id")}, Response: ref("UnitDetail")},
		{Method: "POST", Path: "/api/v1/units/merge", Summary: "Merge units (dry_run previews)",
			Body: ref("MergeRequest"), Response: ref("MoveReport"), Status: "201"},
		{Method: "POST", Path: "/api/v1/incoming", Summary: "Register an incoming document with its files",
			Body: ref("IncomingMultipart"), BodyType: "multipart/form-data", Response: ref("Registered"), Status: "201"},
		{Method: "GET", Path: "/api/v1/incoming", Summary: "The registry of incoming documents", Params: []obj{
			queryParam("q", "Symbol, summary or issuer, with or without diacritics", str),
			queryParam("from", "Arrived on or after (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("to", "Arrived on or before (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("register_id", "Register", integer), queryParam("unit_id", "Receiving unit", integer),
			queryParam("type_name", "Document type, e.g. Công văn", str), queryParam("organ", "Issuer contains", str),
			queryParam("priority", "thuong, khan, thuong_khan, hoa_toc, hoa_toc_hen_gio", str),
			queryParam("confidentiality", "none, mat, toi_mat, tuyet_mat", str),
			queryParam("status", "01–06", str), queryParam("assignee", "User id of an assignee", integer),
			queryParam("overdue", "true: past due and not done", obj{"type": "boolean"}),
			queryParam("sort", "arrived_desc (default), arrived_asc, due_asc, number_desc", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("IncomingItem")},
		{Method: "GET", Path: "/api/v1/documents/{id}", Summary: "One document with its files",
			Params: []obj{pathParam("id")}, Response: ref("Document")},
		{Method: "GET", Path: "/api/v1/documents/{id}/files/{file_id}", Summary: "A file's bytes; X-Checksum-Sha256 carries its SHA-256",
			Params: []obj{pathParam("id"), pathParam("file_id")}, Response: obj{"type": "string", "format": "binary"}},
		{Method: "GET", Path: "/api/v1/organisations", Summary: "Issuer suggestions: units on the platform and outside organisations",
			Params: []obj{queryParam("q", "Name, with or without diacritics", str)}, Response: listOf("Organisation")},
		{Method: "POST", Path: "/api/v1/units/split", Summary: "Split a unit (dry_run previews)",
			Body: ref("SplitRequest"), Response: ref("MoveReport"), Status: "201"},
		// Handling: present, direct, assignments, inboxes, notifications (api_routing.go).
		{Method: "GET", Path: "/api/v1/documents/{id}/routing", Summary: "A document's handling: status, presentation, directions and assignments",
			Params: []obj{pathParam("id")}, Response: ref("RoutingState")},
		{Method: "POST", Path: "/api/v1/documents/{id}/present", Summary: "Present a registered document to a leader (clerk of the owning unit)",
			Params: []obj{pathParam("id")}, Body: ref("PresentRequest"), Response: ref("RoutingState")},
		{Method: "POST", Path: "/api/v1/documents/{id}/directions", Summary: "Write a leader's direction: lead, cooperating and informed assignees, deadline",
			Params: []obj{pathParam("id")}, Body: ref("DirectionRequest"), Response: ref("Direction"), Status: "201"},
		{Method: "POST", Path: "/api/v1/documents/{id}/close", Summary: "Finish a registered document without assignments (Lưu hồ sơ / Để biết)",
			Params: []obj{pathParam("id")}, Body: ref("CloseRequest"), Response: ref("RoutingState")},
		{Method: "POST", Path: "/api/v1/assignments/{id}/reassign", Summary: "Pass a unit's assignment to a person of the unit (its leader)",
			Params: []obj{pathParam("id")}, Body: ref("ReassignRequest"), Response: ref("Assignment"), Status: "201"},
		{Method: "POST", Path: "/api/v1/assignments/{id}/accept", Summary: "Accept an assignment (the document becomes 05)",
			Params: []obj{pathParam("id")}, Response: ref("Assignment")},
		{Method: "POST", Path: "/api/v1/assignments/{id}/progress", Summary: "Report progress (0–100 %) with a note",
			Params: []obj{pathParam("id")}, Body: ref("ProgressRequest"), Response: ref("Assignment")},
		{Method: "POST", Path: "/api/v1/assignments/{id}/complete", Summary: "Complete an assignment; the lead chain done makes the document 06",
			Params: []obj{pathParam("id")}, Body: ref("CompleteRequest"), Response: ref("Assignment")},
		{Method: "POST", Path: "/api/v1/assignments/{id}/return", Summary: "Return an assignment with a reason; a returned lead puts the document back to 03",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("Assignment")},
		{Method: "GET", Path: "/api/v1/inbox", Summary: "One of the caller's inboxes", Params: []obj{
			{"name": "box", "in": "query", "required": true, "description": "cho_y_kien, cho_xu_ly, dang_xu_ly, qua_han, de_biet or hoan_thanh",
				"schema": obj{"type": "string", "enum": []string{"cho_y_kien", "cho_xu_ly", "dang_xu_ly", "qua_han", "de_biet", "hoan_thanh"}}},
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("InboxItem")},
		{Method: "GET", Path: "/api/v1/inbox/counts", Summary: "How many documents each of the caller's inboxes holds", Response: ref("InboxCounts")},
		{Method: "GET", Path: "/api/v1/notifications", Summary: "The caller's unread notifications, newest first", Params: []obj{
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: ref("NotificationList")},
		{Method: "POST", Path: "/api/v1/notifications/{id}/read", Summary: "Mark one of the caller's notifications read",
			Params: []obj{pathParam("id")}, Response: obj{"type": "object", "properties": obj{"unread_count": obj{"type": "integer"}}}},
		// Outgoing documents and exchange on the platform (api_outgoing.go).
		{Method: "POST", Path: "/api/v1/outgoing", Summary: "Create an outgoing draft with its recipients and first version",
			Body: ref("OutgoingMultipart"), BodyType: "multipart/form-data", Response: ref("Outgoing"), Status: "201"},
		{Method: "GET", Path: "/api/v1/outgoing/{id}", Summary: "One outgoing document with its state and file versions",
			Params: []obj{pathParam("id")}, Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/approve", Summary: "Approve a draft (a leader of the unit)",
			Params: []obj{pathParam("id")}, Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/return", Summary: "Return a draft with a reason (a leader of the unit)",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/issue", Summary: "Number, date, register and send an approved draft (a clerk of the unit); delivers copies to recipient units",
			Params: []obj{pathParam("id")}, Response: ref("OutgoingIssued")},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/recipients", Summary: "The recipients with the current status (01–06) of each delivered copy",
			Params: []obj{pathParam("id")}, Response: listOf("OutgoingRecipient")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/recall", Summary: "Recall (thu hồi) an issued document: the recipients' copies are frozen",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"reason": str}}, Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/incoming/{id}/register", Summary: "Register a document delivered on the platform (status 01 → 03, with an arrival number)",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"register_id": integer}}, Response: ref("DeliveredState")},
		{Method: "POST", Path: "/api/v1/incoming/{id}/reject", Summary: "Refuse a document delivered on the platform with a reason (status 02)",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("DeliveredState")},
		// Dashboards (dashboard.go).
		{Method: "GET", Path: "/api/v1/dashboard", Summary: "Dashboard figures of a unit's subtree within the caller's scope", Params: []obj{
			queryParam("unit_id", "Unit (default: the caller's acting unit); its subtree and predecessors are counted", integer),
			queryParam("from", "First day, YYYY-MM-DD or dd/mm/yyyy (default: 1 January of to's year)", obj{"type": "string", "format": "date"}),
			queryParam("to", "Last day (default: today in Vietnam)", obj{"type": "string", "format": "date"}),
			queryParam("period", "Grouping: day, week, month (default), quarter or year", obj{"type": "string",
				"enum": []string{"day", "week", "month", "quarter", "year"}}),
		}, Response: ref("Dashboard")},
	}
}

var schemas = obj{
	"Problem": obj{"type": "object", "description": "RFC 9457 problem details; detail is Vietnamese.", "properties": obj{
		"type": str, "title": str, "status": obj{"type": "integer"}, "detail": str, "instance": str, "request_id": str,
		"errors": obj{"type": "object", "additionalProperties": str, "description": "Field name → Vietnamese message"},
	}},
	"Me": obj{"type": "object", "properties": obj{
		"id": integer, "login": str, "name": str,
		"clearance": obj{"type": "string", "enum": []string{"none", "mat", "toi_mat", "tuyet_mat"}},
		"units": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"unit_id": integer, "name": str, "role": obj{"type": "string", "enum": []string{"admin", "unit_admin", "clerk", "leader", "handler"}}, "title": str,
		}}},
	}},
	"Unit": obj{"type": "object", "properties": obj{
		"id": integer, "code": obj{"type": []string{"string", "null"}}, "name": str, "level": str, "kind": str, "symbol": str,
		"parent_id": obj{"type": []string{"integer", "null"}}, "valid_from": obj{"type": "string", "format": "date"},
		"valid_to": obj{"type": []string{"string", "null"}, "format": "date"},
	}},
	"UnitLink": obj{"type": "object", "properties": obj{
		"id": integer, "name": str, "code": obj{"type": []string{"string", "null"}}, "event": str, "event_id": integer,
		"effective_date": obj{"type": "string", "format": "date-time"}, "legal_basis": str,
	}},
	"UnitDetail": obj{"allOf": []obj{ref("Unit"), {"type": "object", "properties": obj{
		"predecessors": obj{"type": "array", "items": ref("UnitLink")},
		"successors":   obj{"type": "array", "items": ref("UnitLink")},
	}}}},
	"NewUnit": obj{"type": "object", "required": []string{"name", "level"}, "properties": obj{
		"name": str, "code": str, "symbol": str, "level": str, "kind": str, "parent_id": integer,
	}},
	"MergeRequest": obj{"type": "object", "required": []string{"sources", "effective_date", "legal_basis"}, "properties": obj{
		"sources": obj{"type": "array", "items": integer}, "target_id": integer, "target": ref("NewUnit"),
		"effective_date": obj{"type": "string", "format": "date"}, "legal_basis": str, "dry_run": obj{"type": "boolean"},
	}},
	"SplitRequest": obj{"type": "object", "required": []string{"source", "parts", "effective_date", "legal_basis"}, "properties": obj{
		"source": integer,
		"parts": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"target_id": integer, "target": ref("NewUnit"),
			"members":  obj{"type": "array", "items": integer, "description": "User ids whose memberships go to this part"},
			"children": obj{"type": "array", "items": integer, "description": "Child unit ids that go to this part"},
		}}},
		"effective_date": obj{"type": "string", "format": "date"}, "legal_basis": str, "dry_run": obj{"type": "boolean"},
	}},
	"MoveReport": obj{"type": "object", "properties": obj{
		"kind": str, "dry_run": obj{"type": "boolean"}, "event_id": integer, "effective_date": str, "legal_basis": str,
		"sources": obj{"type": "array", "items": ref("UnitRef")}, "targets": obj{"type": "array", "items": ref("UnitRef")},
		"new_targets":    obj{"type": "array", "items": ref("UnitRef")},
		"children_moved": obj{"type": "array", "items": ref("UnitRef")},
		"moved": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"hook": str, "moved": obj{"type": "integer"}, "items": obj{"type": "array", "items": str},
		}}},
	}},
	"UnitRef": obj{"type": "object", "properties": obj{"id": integer, "name": str, "code": str}},
	"IncomingMetadata": obj{"type": "object", "required": []string{"type_name", "organ_name", "subject"}, "properties": obj{
		"type_name": str, "code_number": str, "code_notation": str,
		"issued_date": obj{"type": "string", "format": "date"}, "organ_name": str, "organ_unit_id": integer,
		"subject": str, "page_amount": obj{"type": "integer"},
		"signer":          obj{"type": "object", "properties": obj{"position": str, "full_name": str}},
		"priority":        obj{"type": "string", "enum": []string{"thuong", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"}},
		"priority_time":   obj{"type": "string", "format": "date-time"},
		"confidentiality": obj{"type": "string", "enum": []string{"none", "mat", "toi_mat", "tuyet_mat"}},
		"due_date":        obj{"type": "string", "format": "date"}, "receivers": str, "notes": str,
		"register_id": integer, "unit_id": integer,
	}},
	"IncomingMultipart": obj{"type": "object", "required": []string{"metadata"}, "properties": obj{
		"metadata": ref("IncomingMetadata"),
		"file":     obj{"type": "array", "items": obj{"type": "string", "format": "binary"}},
	}},
	"File": obj{"type": "object", "properties": obj{"id": integer, "name": str, "size": integer, "sha256": str}},
	"Registered": obj{"type": "object", "properties": obj{
		"id": integer, "arrival_number": obj{"type": "integer"}, "arrived_at": obj{"type": "string", "format": "date-time"},
		"register_id": integer, "files": obj{"type": "array", "items": ref("File")},
		"duplicates": obj{"type": "array", "description": "Earlier documents with the same number, symbol and issuer", "items": obj{"type": "object"}},
	}},
	"IncomingItem": obj{"type": "object", "properties": obj{
		"id": integer, "arrival_number": obj{"type": []string{"integer", "null"}}, "arrived_at": str, "subject": str,
		"code_number": str, "code_notation": str, "symbol": str, "organ_name": str, "type_name": str,
		"status":   obj{"type": "string", "enum": []string{"01", "02", "03", "04", "05", "06"}},
		"priority": str, "confidentiality": str, "due_date": obj{"type": []string{"string", "null"}},
	}},
	"Document": obj{"type": "object", "description": "Document metadata (Nghị định 30, Appendix VI) with files", "properties": obj{
		"id": integer, "direction": str, "unit_id": integer, "arrival_number": obj{"type": []string{"integer", "null"}},
		"status": str, "type_name": str, "code_number": str, "code_notation": str, "symbol": str, "organ_name": str,
		"subject": str, "signer": obj{"type": "object"}, "files": obj{"type": "array", "items": ref("File")},
	}},
	"Organisation": obj{"type": "object", "properties": obj{"name": str, "unit_id": obj{"type": []string{"integer", "null"}}}},
	// Outgoing (api_outgoing.go).
	"OutgoingMetadata": obj{"type": "object", "required": []string{"type_name", "subject", "recipients"}, "properties": obj{
		"type_name": str, "subject": str,
		"confidentiality": obj{"type": "string", "enum": []string{"none", "mat", "toi_mat", "tuyet_mat"}},
		"priority":        obj{"type": "string", "enum": []string{"thuong", "khan", "thuong_khan", "hoa_toc"}},
		"signer":          obj{"type": "object", "properties": obj{"position": str, "full_name": str}},
		"recipients": obj{"type": "array", "items": obj{"type": "object", "description": "Exactly one of unit_id (a unit on the platform) or organ_name (outside)",
			"properties": obj{"unit_id": integer, "organ_name": str}}},
		"unit_id": obj{"type": "integer", "format": "int64", "description": "Issuing unit; default the acting unit"},
	}},
	"OutgoingMultipart": obj{"type": "object", "required": []string{"metadata"}, "properties": obj{
		"metadata": ref("OutgoingMetadata"),
		"file":     obj{"type": "array", "items": obj{"type": "string", "format": "binary"}},
	}},
	"OutgoingFile": obj{"type": "object", "properties": obj{"id": integer, "name": str, "size": integer, "sha256": str,
		"version": obj{"type": "integer"}, "created_by": obj{"type": []string{"integer", "null"}}, "created_at": obj{"type": "string", "format": "date-time"}}},
	"Outgoing": obj{"type": "object", "properties": obj{
		"id": integer, "unit_id": integer,
		"status":    obj{"type": "string", "enum": []string{"draft", "approved", "returned", "issued", "recalled"}},
		"type_name": str, "subject": str, "confidentiality": str,
		"number": obj{"type": []string{"integer", "null"}}, "symbol": obj{"type": "string", "description": "{n}-{TYPE}/{ISSUER}, e.g. 1-CV/TU"},
		"issued_date": obj{"type": []string{"string", "null"}, "format": "date"}, "register_id": obj{"type": []string{"integer", "null"}},
		"files": obj{"type": "array", "items": ref("OutgoingFile")},
	}},
	"OutgoingRecipient": obj{"type": "object", "properties": obj{
		"id": integer, "unit_id": obj{"type": []string{"integer", "null"}}, "unit_name": obj{"type": []string{"string", "null"}},
		"organ_name": str, "delivered_document_id": obj{"type": []string{"integer", "null"}},
		"delivered_at":  obj{"type": []string{"string", "null"}, "format": "date-time"},
		"status":        obj{"type": []string{"string", "null"}, "description": "The delivered copy's status: 01 arrived, 02 rejected, 03 registered, 04 assigned, 05 in progress, 06 done"},
		"reject_reason": str, "recalled_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
	}},
	"OutgoingIssued": obj{"allOf": []obj{ref("Outgoing"), {"type": "object", "properties": obj{
		"recipients": obj{"type": "array", "items": ref("OutgoingRecipient")},
	}}}},
	"DeliveredState": obj{"type": "object", "properties": obj{
		"id": integer, "unit_id": integer, "status": str, "arrival_number": obj{"type": []string{"integer", "null"}},
		"arrived_at": obj{"type": "string", "format": "date-time"}, "register_id": obj{"type": []string{"integer", "null"}}, "reject_reason": str,
	}},
	// Handling (api_routing.go).
	"Assignee": obj{"type": "object", "description": "Exactly one of user_id or unit_id", "properties": obj{"user_id": integer, "unit_id": integer}},
	"PresentRequest": obj{"type": "object", "required": []string{"leader_id"}, "properties": obj{
		"leader_id": obj{"type": "integer", "format": "int64", "description": "A leader of the owning unit or of a unit above it"},
	}},
	"DirectionRequest": obj{"type": "object", "required": []string{"lead"}, "properties": obj{
		"body": str, "lead": ref("Assignee"),
		"cooperate": obj{"type": "array", "items": ref("Assignee")}, "inform": obj{"type": "array", "items": ref("Assignee")},
		"deadline":              obj{"type": "string", "format": "date", "description": "A date; or give deadline_working_days"},
		"deadline_working_days": obj{"type": "integer", "description": "Working days from today (holidays excluded), 1–366"},
	}},
	"CloseRequest": obj{"type": "object", "required": []string{"result"}, "properties": obj{
		"result": obj{"type": "string", "enum": []string{"luu_ho_so", "de_biet"}}, "note": str,
	}},
	"ReassignRequest": obj{"type": "object", "required": []string{"user_id"}, "properties": obj{
		"user_id": integer, "body": str, "deadline": obj{"type": "string", "format": "date"},
	}},
	"ProgressRequest": obj{"type": "object", "required": []string{"percent"}, "properties": obj{
		"percent": obj{"type": "integer", "minimum": 0, "maximum": 100}, "note": str,
	}},
	"CompleteRequest": obj{"type": "object", "properties": obj{
		"result": obj{"type": "string", "description": "Required except for informed assignees"}, "reply_document_id": integer,
	}},
	"ReturnRequest": obj{"type": "object", "required": []string{"reason"}, "properties": obj{"reason": str}},
	"Assignment": obj{"type": "object", "properties": obj{
		"id": integer, "document_id": integer, "direction_id": obj{"type": []string{"integer", "null"}},
		"parent_id":        obj{"type": []string{"integer", "null"}},
		"assignee_user_id": obj{"type": []string{"integer", "null"}}, "assignee_unit_id": obj{"type": []string{"integer", "null"}},
		"assignee_name": str,
		"role":          obj{"type": "string", "enum": []string{"lead", "cooperate", "inform"}},
		"status":        obj{"type": "string", "enum": []string{"assigned", "in_progress", "done", "returned", "reassigned"}},
		"deadline":      obj{"type": []string{"string", "null"}, "format": "date"},
		"progress":      obj{"type": "integer"}, "progress_note": str, "result": str,
		"reply_document_id": obj{"type": []string{"integer", "null"}}, "return_reason": str,
		"assigned_by": obj{"type": []string{"integer", "null"}}, "note": str,
		"created_at":   obj{"type": "string", "format": "date-time"},
		"accepted_at":  obj{"type": []string{"string", "null"}, "format": "date-time"},
		"completed_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"children":     obj{"type": "array", "items": ref("Assignment"), "description": "Re-assignments within the unit"},
	}},
	"Direction": obj{"type": "object", "properties": obj{
		"id": integer, "document_id": integer, "author_id": integer, "author_name": str, "body": str,
		"deadline": obj{"type": []string{"string", "null"}, "format": "date"}, "created_at": obj{"type": "string", "format": "date-time"},
		"assignments": obj{"type": "array", "items": ref("Assignment")},
	}},
	"RoutingState": obj{"type": "object", "properties": obj{
		"document_id": integer, "status": obj{"type": "string", "enum": []string{"01", "02", "03", "04", "05", "06"}},
		"presented_to": obj{"type": []string{"integer", "null"}},
		"completed_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"directions":   obj{"type": "array", "items": ref("Direction")},
	}},
	"InboxItem": obj{"allOf": []obj{ref("IncomingItem"), {"type": "object", "properties": obj{
		"deadline": obj{"type": []string{"string", "null"}, "format": "date", "description": "Earliest deadline of the caller's open parts"},
		"overdue":  obj{"type": "boolean"},
		"roles":    obj{"type": "array", "items": obj{"type": "string", "enum": []string{"lead", "cooperate", "inform"}}},
	}}}},
	"InboxCounts": obj{"type": "object", "properties": obj{
		"cho_y_kien": obj{"type": "integer"}, "cho_xu_ly": obj{"type": "integer"}, "dang_xu_ly": obj{"type": "integer"},
		"qua_han": obj{"type": "integer"}, "de_biet": obj{"type": "integer"}, "hoan_thanh": obj{"type": "integer"},
	}},
	"Notification": obj{"type": "object", "properties": obj{
		"id": integer, "kind": str, "title": str, "link": str, "created_at": obj{"type": "string", "format": "date-time"},
		"read_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
	}},
	"NotificationList": obj{"type": "object", "properties": obj{
		"items": obj{"type": "array", "items": ref("Notification")}, "next_cursor": str, "unread_count": obj{"type": "integer"},
	}},
}

func (s *Server) openAPIDocument() obj {
	paths := obj{}
	problem := obj{"description": "Lỗi (problem details)", "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}
	for _, op := range apiOperations() {
		status := op.Status
		if status == "" {
			status = "200"
		}
		o := obj{
			"summary": op.Summary,
			"responses": obj{
				status: obj{"description": "OK", "content": obj{"application/json": obj{"schema": op.Response}}},
				"400":  problem, "401": problem, "404": problem, "422": problem,
				"default": problem,
			},
		}
		if op.Params != nil {
			o["parameters"] = op.Params
		}
		if op.Body != nil {
			ct := op.BodyType
			if ct == "" {
				ct = "application/json"
			}
			o["requestBody"] = obj{"required": true, "content": obj{ct: obj{"schema": op.Body}}}
		}
		item, _ := paths[op.Path].(obj)
		if item == nil {
			item = obj{}
			paths[op.Path] = item
		}
		item[toLower(op.Method)] = o
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Vanthu API", "version": s.version,
			"description": "JSON API of Vanthu. Authenticate with `Authorization: Bearer vt_…` (create tokens on the account page or with `vanthu token create`). Lists answer {items, next_cursor}; errors are RFC 9457 problem details with a Vietnamese detail."},
		"servers":    []obj{{"url": s.cfg.BaseURL}},
		"security":   []obj{{"bearer": []string{}}},
		"paths":      paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}}},
	}
}

func toLower(m string) string { return strings.ToLower(m) }

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.openAPIDocument())
}
