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
	BodyOptional          bool // the request may come without a body
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
	ops := []apiOperation{
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
		{Method: "POST", Path: "/api/v1/documents/{id}/signatures/verify", Summary: "Verify the PDF signatures of a document's files again (e.g. after the trusted roots changed)",
			Params: []obj{pathParam("id")}, Response: ref("DocumentSignatures")},
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
		{Method: "GET", Path: "/api/v1/notifications", Summary: "The caller's unread notifications, newest first (with include_read, the read ones after them)", Params: []obj{
			queryParam("include_read", "true: list the read notifications too, after every unread one, newest first", obj{"type": "boolean"}),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: ref("NotificationList")},
		{Method: "POST", Path: "/api/v1/notifications/{id}/read", Summary: "Mark one of the caller's notifications read",
			Params: []obj{pathParam("id")}, Response: obj{"type": "object", "properties": obj{"unread_count": obj{"type": "integer"}}}},
		{Method: "POST", Path: "/api/v1/notifications/read-all", Summary: "Mark the caller's unread notifications read (up to up_to_id when given); the body may be empty",
			Body: obj{"type": "object", "properties": obj{"up_to_id": obj{"type": "integer", "format": "int64", "minimum": 0,
				"description": "Mark only notifications with an id up to this (the newest the client showed); 0 or absent: all"}}}, BodyOptional: true,
			Response: obj{"type": "object", "properties": obj{"marked": obj{"type": "integer"}, "unread_count": obj{"type": "integer"}}}},
		// Work schedules (api_schedules.go).
		{Method: "GET", Path: "/api/v1/schedules", Summary: "A unit's weekly work schedule (drafts only for its editors)", Params: []obj{
			queryParam("unit_id", "Unit (default: the caller's unit)", integer),
			queryParam("week", "ISO week, e.g. 2026-W17 (default: this week in Vietnam)", str),
		}, Response: ref("Schedule")},
		{Method: "GET", Path: "/api/v1/schedules/mine", Summary: "Published entries of a week the caller presides, attends or prepares",
			Params: []obj{queryParam("week", "ISO week, e.g. 2026-W17 (default: this week)", str)}, Response: listOf("ScheduleEntry")},
		{Method: "POST", Path: "/api/v1/schedules/entries", Summary: "Add an entry to a unit's schedule for its week (an adjustment when published)",
			Body: ref("ScheduleEntryInput"), Response: ref("ScheduleEntry"), Status: "201"},
		{Method: "GET", Path: "/api/v1/schedules/entries/{id}", Summary: "One schedule entry",
			Params: []obj{pathParam("id")}, Response: ref("ScheduleEntry")},
		{Method: "PUT", Path: "/api/v1/schedules/entries/{id}", Summary: "Replace an entry's fields; the date stays in its week (an adjustment when published)",
			Params: []obj{pathParam("id")}, Body: ref("ScheduleEntryInput"), Response: ref("ScheduleEntry")},
		{Method: "DELETE", Path: "/api/v1/schedules/entries/{id}", Summary: "Delete a draft entry, or cancel a published one",
			Params: []obj{pathParam("id")}, Response: obj{"type": "object", "properties": obj{
				"id": integer, "cancelled": obj{"type": "boolean"}, "deleted": obj{"type": "boolean"}}}},
		{Method: "POST", Path: "/api/v1/schedules/publish", Summary: "Publish a unit's draft week and notify its members",
			Body: ref("ScheduleWeekRequest"), Response: ref("Schedule")},
		{Method: "POST", Path: "/api/v1/schedules/copy-recurring", Summary: "Copy the previous week's recurring entries into the week",
			Body: ref("ScheduleWeekRequest"), Response: obj{"type": "object", "properties": obj{"copied": obj{"type": "integer"}}}},
		// Outgoing documents and exchange on the platform (api_outgoing.go).
		{Method: "POST", Path: "/api/v1/outgoing", Summary: "Create an outgoing draft with its recipients and first version",
			Body: ref("OutgoingMultipart"), BodyType: "multipart/form-data", Response: ref("Outgoing"), Status: "201"},
		{Method: "GET", Path: "/api/v1/outgoing/{id}", Summary: "One outgoing document with its state and file versions",
			Params: []obj{pathParam("id")}, Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/approve", Summary: "Approve and sign a draft: under review only its signer at the signing stage, with the signed PDF as the last version; a draft never submitted, any leader of the unit",
			Params: []obj{pathParam("id")}, Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/return", Summary: "Return a draft with a reason (a leader of the unit)",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("Outgoing")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/issue", Summary: "Number, date, register and send an approved draft (a clerk of the unit); delivers copies to recipient units",
			Params: []obj{pathParam("id")}, Response: ref("OutgoingIssued")},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/recipients", Summary: "The recipients with the current status (01–06) of each delivered copy",
			Params: []obj{pathParam("id")}, Response: listOf("OutgoingRecipient")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/recall", Summary: "Recall (thu hồi) an issued document: the recipients' copies are frozen",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"reason": str}}, Response: ref("Outgoing")},
		// The approval circuit, versions, tracking and links (api_outgoing_review.go).
		{Method: "GET", Path: "/api/v1/outgoing", Summary: "Outgoing documents the caller may see, by box, searched and filtered", Params: []obj{
			queryParam("tab", "Box: mine, review, format, sign, issue, issued, recalled (default all)", str),
			queryParam("q", "Symbol, summary, issuer or recipients, with or without diacritics", str),
			queryParam("type_name", "Document type", str), queryParam("priority", "thuong, khan, thuong_khan, hoa_toc", str),
			queryParam("confidentiality", "none, mat, toi_mat, tuyet_mat", str),
			queryParam("from", "Issued (or drafted) on or after (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("to", "Issued (or drafted) on or before (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("sort", "created_desc (default), created_asc, updated_desc, issued_desc", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("OutgoingItem")},
		{Method: "PUT", Path: "/api/v1/outgoing/{id}", Summary: "Change a draft's metadata while it is with its drafter",
			Params: []obj{pathParam("id")}, Body: ref("OutgoingMetadata"), Response: ref("Outgoing")},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/versions", Summary: "Every version of a draft, newest first, with who uploaded it and when",
			Params: []obj{pathParam("id")}, Response: listOf("OutgoingVersion")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/versions", Summary: "Upload a new version (DOCX or PDF by the drafter; the signed PDF by the signer at the signing stage)",
			Params: []obj{pathParam("id")}, Body: ref("VersionMultipart"), BodyType: "multipart/form-data", Response: ref("OutgoingVersion"), Status: "201"},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/rounds", Summary: "The review rounds of a draft, newest first, with each reviewer's decision",
			Params: []obj{pathParam("id")}, Response: listOf("OutgoingRound")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/submit", Summary: "Submit a draft with its circuit: ordered steps of parallel reviewers, then the format check, then the signer",
			Params: []obj{pathParam("id")}, Body: ref("SubmitRequest"), Response: ref("OutgoingRound")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/review", Summary: "A reviewer of the current step agrees or returns the draft with a reason",
			Params: []obj{pathParam("id")}, Body: ref("DecisionRequest"), Response: ref("OutgoingRound")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/format-check", Summary: "A clerk of the issuing unit passes the format check or returns the draft with a reason",
			Params: []obj{pathParam("id")}, Body: ref("DecisionRequest"), Response: ref("OutgoingRound")},
		{Method: "POST", Path: "/api/v1/outgoing/{id}/withdraw", Summary: "The drafter takes a submitted draft back to change it",
			Params: []obj{pathParam("id")}, Response: ref("OutgoingRound")},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/tracking", Summary: "The recipients with each copy's state (01–06, refusal reason, recalled, replaced)",
			Params: []obj{pathParam("id")}, Response: listOf("OutgoingTracked")},
		{Method: "GET", Path: "/api/v1/outgoing/{id}/links", Summary: "The document this one replaces or corrects, and those that replace or correct it",
			Params: []obj{pathParam("id")}, Response: ref("OutgoingLinks")},
		{Method: "POST", Path: "/api/v1/incoming/{id}/register", Summary: "Register a document delivered on the platform (status 01 → 03, with an arrival number)",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"register_id": integer}}, Response: ref("DeliveredState")},
		{Method: "POST", Path: "/api/v1/incoming/{id}/reject", Summary: "Refuse a document delivered on the platform with a reason (status 02)",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("DeliveredState")},
		// Exchange with outside organisations in edXML (api_exchange.go).
		{Method: "GET", Path: "/api/v1/documents/{id}/edxml", Summary: "The document as an edXML envelope (application/xml download, attachments base64): an issued outgoing document (a recalled one as business code 1), or an imported one as received",
			Params: []obj{pathParam("id")}, Response: obj{"type": "string", "description": "edXML (QCVN 102:2016/BTTTT)"}},
		{Method: "GET", Path: "/api/v1/documents/{id}/edxml/status", Summary: "The newest edXML status message owed to the outside sender of an imported document (application/xml; X-Status-Message-Id)",
			Params: []obj{pathParam("id")}, Response: obj{"type": "string", "description": "edXML status message"}},
		{Method: "POST", Path: "/api/v1/exchange/edxml", Summary: "Import an edXML envelope into a unit's incoming queue (status 01): business code 0 new, 1 recall, 2 update, 3 replace; 201 when a document is created",
			Params: []obj{queryParam("unit_id", "Receiving unit (the caller must be its clerk); default the caller's only clerk unit", integer)},
			Body:   obj{"type": "string", "description": "The edXML envelope"}, BodyType: "application/xml", Response: ref("ExchangeImported"), Status: "201"},
		{Method: "POST", Path: "/api/v1/exchange/status", Summary: "Record an edXML status message an outside recipient sent about one of our issued documents (a clerk of the issuing unit)",
			Body: obj{"type": "string", "description": "The edXML status message"}, BodyType: "application/xml", Response: ref("ExchangeRecipientStatus")},
		{Method: "GET", Path: "/api/v1/exchange/messages", Summary: "Status messages owed to outside senders of imported documents, oldest first (a gateway polls and sends them)",
			Params: []obj{queryParam("since", "Id of the last message already fetched (default 0)", integer),
				queryParam("limit", "1–500 (default 100)", obj{"type": "integer"})}, Response: listOf("ExchangeStatusMessage")},
		{Method: "GET", Path: "/api/v1/exchange/organs/{unit_id}", Summary: "A unit's identifier on the exchange axis (mã định danh)",
			Params: []obj{pathParam("unit_id")}, Response: ref("ExchangeOrgan")},
		{Method: "POST", Path: "/api/v1/exchange/organs/{unit_id}", Summary: "Declare (or clear with \"\") a unit's identifier on the exchange axis (an administrator of the unit)",
			Params: []obj{pathParam("unit_id")}, Body: obj{"type": "object", "required": []string{"organ_id"}, "properties": obj{"organ_id": str}},
			Response: ref("ExchangeOrgan")},
		// Tasks (api_tasks.go).
		{Method: "GET", Path: "/api/v1/tasks", Summary: "Tasks the caller may see, filtered, with keyset pagination", Params: []obj{
			queryParam("tab", "all (default), mine, unit, given, review or overdue", obj{"type": "string", "enum": []string{"all", "mine", "unit", "given", "review", "overdue"}}),
			queryParam("assignee", "A user id, or me: tasks where that person is an assignee", str),
			queryParam("assignee_unit", "Unit id: tasks where that unit is an assignee", integer),
			queryParam("status", "new, in_progress, returned, completed, accepted, cancelled, or open (new, in progress, returned)", str),
			queryParam("overdue", "true: open and past the due date", obj{"type": "boolean"}),
			queryParam("priority", "low, normal, high, urgent", str), queryParam("source", "standalone, direction, directing", str),
			queryParam("document_id", "Tasks from this document", integer), queryParam("parent_id", "Subtasks of this task", integer),
			queryParam("due_from", "Due on or after (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("due_to", "Due on or before (YYYY-MM-DD)", obj{"type": "string", "format": "date"}),
			queryParam("q", "Title or description, with or without diacritics, or #id", str),
			queryParam("sort", "due_asc (default), due_desc, created_desc, priority_desc, title_asc", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–500 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("TaskItem")},
		{Method: "POST", Path: "/api/v1/tasks", Summary: "Give a task; the answer carries the due date computed on the working-day calendar",
			Body: ref("TaskRequest"), Response: ref("Task"), Status: "201"},
		{Method: "GET", Path: "/api/v1/tasks/{id}", Summary: "One task with its assignees and pending extension request",
			Params: []obj{pathParam("id")}, Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/progress", Summary: "Report progress (an assignee): percent (the lead's sets the task's) and a note",
			Params: []obj{pathParam("id")}, Body: ref("ProgressRequest"), Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/extensions", Summary: "Ask the assigner for a later due date (the lead)",
			Params: []obj{pathParam("id")}, Body: ref("TaskExtensionRequest"), Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/extensions/{ext_id}/decide", Summary: "Approve or refuse a pending extension request (the assigner)",
			Params: []obj{pathParam("id"), pathParam("ext_id")}, Body: ref("TaskDecisionRequest"), Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/complete", Summary: "Report the task done with its result (the lead); it waits for acceptance",
			Params: []obj{pathParam("id")}, Body: ref("TaskCompleteRequest"), Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/accept", Summary: "Accept a completed task (the assigner)",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"note": str}}, Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/return", Summary: "Return a completed task with a reason (the assigner); it is open again",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("Task")},
		{Method: "POST", Path: "/api/v1/tasks/{id}/cancel", Summary: "Cancel a task and its open subtasks with a reason (the assigner)",
			Params: []obj{pathParam("id")}, Body: ref("ReturnRequest"), Response: ref("Task")},
		// Dashboards (dashboard.go).
		{Method: "GET", Path: "/api/v1/dashboard", Summary: "Dashboard figures of a unit's subtree within the caller's scope", Params: []obj{
			queryParam("unit_id", "Unit (default: the caller's acting unit); its subtree and predecessors are counted", integer),
			queryParam("from", "First day, YYYY-MM-DD or dd/mm/yyyy (default: 1 January of to's year)", obj{"type": "string", "format": "date"}),
			queryParam("to", "Last day (default: today in Vietnam)", obj{"type": "string", "format": "date"}),
			queryParam("period", "Grouping: day, week, month (default), quarter or year", obj{"type": "string",
				"enum": []string{"day", "week", "month", "quarter", "year"}}),
		}, Response: ref("Dashboard")},
	}
	return append(ops, reportAPIOperations()...) // reports_openapi.go
}

// fileRole: an original file, or the issued electronic copy with the agency's signature.
var fileRole = obj{"type": "string", "enum": []string{"original", "issued_copy"}}

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
	"File": obj{"type": "object", "properties": obj{"id": integer, "name": str, "size": integer, "sha256": str,
		"role": fileRole, "source_file_id": obj{"type": "integer", "description": "For an issued copy: the original it was made from"},
		"signature": obj{"oneOf": []obj{ref("FileSignature"), {"type": "null"}}, "description": "PDF signature report; null for other files"}}},
	"FileSignature": obj{"type": "object", "description": "Verification of a PDF's signatures against the configured trusted roots", "properties": obj{
		"status":           obj{"type": "string", "enum": []string{"valid", "altered", "untrusted", "expired", "invalid", "unsigned", "unreadable"}},
		"label":            obj{"type": "string", "description": "The verdict in Vietnamese"},
		"reason":           obj{"type": "string", "description": "Why it is not valid, in Vietnamese"},
		"trust_configured": obj{"type": "boolean", "description": "false: no trusted roots are configured, so nothing can be valid"},
		"verified_at":      obj{"type": "string", "format": "date-time"},
		"signers":          obj{"type": "array", "items": ref("Signer")},
	}},
	"Signer": obj{"type": "object", "properties": obj{
		"name": str, "organization": str, "serial": obj{"type": "string", "description": "Certificate serial number (hex)"},
		"issuer": str, "issuer_organization": str,
		"not_before": obj{"type": "string", "format": "date-time"}, "not_after": obj{"type": "string", "format": "date-time"},
		"signing_time": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"time_source":  obj{"type": "string", "enum": []string{"timestamp", "signed_attr", "signature_dict", "none"}},
		"status":       str, "valid": obj{"type": "boolean"}, "reason": str, "intact": obj{"type": "boolean"},
		"trusted": obj{"type": "boolean"}, "valid_at_signing_time": obj{"type": "boolean"},
		"coverage":    obj{"type": "string", "enum": []string{"whole_file", "revision", "broken"}},
		"sign_reason": str, "location": str,
	}},
	"DocumentSignatures": obj{"type": "object", "properties": obj{
		"document_id": integer, "trust_configured": obj{"type": "boolean"}, "agency_configured": obj{"type": "boolean"},
		"agency_signed": obj{"type": "boolean"},
		"files": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"id": integer, "role": fileRole, "source_file_id": integer, "signature": ref("FileSignature")}}},
	}},
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
		"recalled_at": obj{"type": "string", "format": "date-time", "description": "Present when the sender recalled this copy: it is frozen"},
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
		"unit_id":   obj{"type": "integer", "format": "int64", "description": "Issuing unit; default the acting unit"},
		"signer_id": obj{"type": "integer", "format": "int64", "description": "The leader of the unit who will sign"},
		"link": obj{"type": "object", "description": "Replace or correct an issued document of the unit", "properties": obj{
			"kind": obj{"type": "string", "enum": []string{"replaces", "corrects"}}, "target_id": integer, "reason": str}},
	}},
	"OutgoingMultipart": obj{"type": "object", "required": []string{"metadata"}, "properties": obj{
		"metadata": ref("OutgoingMetadata"),
		"file":     obj{"type": "array", "items": obj{"type": "string", "format": "binary"}},
	}},
	"OutgoingFile": obj{"type": "object", "properties": obj{"id": integer, "name": str, "size": integer, "sha256": str,
		"version": obj{"type": "integer"}, "created_by": obj{"type": []string{"integer", "null"}}, "created_at": obj{"type": "string", "format": "date-time"},
		"role": fileRole, "source_file_id": integer, "signature": obj{"oneOf": []obj{ref("FileSignature"), {"type": "null"}}}}},
	"Outgoing": obj{"type": "object", "properties": obj{
		"id": integer, "unit_id": integer,
		"status":    obj{"type": "string", "enum": []string{"draft", "approved", "returned", "issued", "recalled"}},
		"type_name": str, "subject": str, "confidentiality": str,
		"number": obj{"type": []string{"integer", "null"}}, "symbol": obj{"type": "string", "description": "{n}-{TYPE}/{ISSUER}, e.g. 1-CV/TU"},
		"issued_date": obj{"type": []string{"string", "null"}, "format": "date"}, "register_id": obj{"type": []string{"integer", "null"}},
		"files":         obj{"type": "array", "items": ref("OutgoingFile")},
		"agency_signed": obj{"type": "boolean", "description": "Once issued: whether the issued electronic copy carries the agency's signature"},
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
	"OutgoingItem": obj{"type": "object", "properties": obj{
		"id": integer, "status": str, "stage": obj{"type": []string{"string", "null"}, "enum": []any{"review", "format", "signing", nil}},
		"state_label": str, "type_name": str, "symbol": str, "issued_date": obj{"type": []string{"string", "null"}, "format": "date"},
		"subject": str, "priority": str, "confidentiality": str, "receivers": str, "unit_name": str,
		"created_at": obj{"type": "string", "format": "date-time"}, "drafter": obj{"type": []string{"string", "null"}},
	}},
	"VersionMultipart": obj{"type": "object", "required": []string{"file"}, "properties": obj{
		"file": obj{"type": "array", "items": obj{"type": "string", "format": "binary"}}, "note": str,
	}},
	"OutgoingVersion": obj{"type": "object", "properties": obj{
		"version": obj{"type": "integer"}, "kind": obj{"type": "string", "enum": []string{"draft", "signed"}}, "note": str,
		"created_by": obj{"type": []string{"integer", "null"}}, "created_by_name": str, "created_at": obj{"type": "string", "format": "date-time"},
		"files": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"id": integer, "name": str, "size": integer, "sha256": str, "content_type": str}}},
	}},
	"SubmitRequest": obj{"type": "object", "required": []string{"signer_id"}, "properties": obj{
		"signer_id": obj{"type": "integer", "format": "int64", "description": "A leader of the issuing unit"},
		"steps": obj{"type": "array", "description": "Review steps in order; the users of one step review in parallel",
			"items": obj{"type": "array", "items": obj{"type": "integer", "format": "int64"}}},
		"note": str,
	}},
	"DecisionRequest": obj{"type": "object", "required": []string{"decision"}, "properties": obj{
		"decision": obj{"type": "string", "enum": []string{"approve", "return"}},
		"note":     obj{"type": "string", "description": "An opinion; required (the reason) for return"},
	}},
	"OutgoingRound": obj{"type": "object", "properties": obj{
		"id": integer, "document_id": integer, "number": obj{"type": "integer"}, "version": obj{"type": "integer"},
		"stage":        obj{"type": "string", "enum": []string{"review", "format", "signing", "approved", "returned", "withdrawn"}},
		"current_step": obj{"type": []string{"integer", "null"}}, "steps": obj{"type": "integer"},
		"signer_id": integer, "signer_name": str, "note": str, "submitted_by": integer, "submitted_at": obj{"type": "string", "format": "date-time"},
		"format_checked_by": obj{"type": []string{"integer", "null"}}, "format_note": str,
		"closed_at": obj{"type": []string{"string", "null"}, "format": "date-time"}, "return_reason": str,
		"reviews": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"step": obj{"type": "integer"}, "reviewer_id": integer, "reviewer_name": str,
			"decision": obj{"type": []string{"string", "null"}, "enum": []any{"approved", "returned", nil}}, "note": str,
			"decided_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		}}},
	}},
	"OutgoingTracked": obj{"type": "object", "properties": obj{
		"position": obj{"type": "integer"}, "unit_id": obj{"type": []string{"integer", "null"}}, "name": str, "outside": obj{"type": "boolean"},
		"delivered_document_id": obj{"type": []string{"integer", "null"}}, "delivered_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"status": obj{"type": []string{"string", "null"}}, "label": str, "arrival_number": obj{"type": []string{"integer", "null"}},
		"reject_reason": str, "recalled_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"replaced_at": obj{"type": []string{"string", "null"}, "format": "date-time"}, "organ_id": str, "description": str,
	}},
	"OutgoingLinks": obj{"type": "object", "properties": obj{
		"original": obj{"type": []string{"object", "null"}}, "by": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"id": integer, "kind": obj{"type": "string", "enum": []string{"replaces", "corrects"}}, "reason": str, "status": str,
			"symbol": str, "issued_date": obj{"type": []string{"string", "null"}, "format": "date"}, "subject": str,
		}}},
	}},
	"DeliveredState": obj{"type": "object", "properties": obj{
		"id": integer, "unit_id": integer, "status": str, "arrival_number": obj{"type": []string{"integer", "null"}},
		"arrived_at": obj{"type": "string", "format": "date-time"}, "register_id": obj{"type": []string{"integer", "null"}}, "reject_reason": str,
	}},
	// Exchange (api_exchange.go).
	"ExchangeImported": obj{"type": "object", "properties": obj{
		"id":      integer,
		"action":  obj{"type": "string", "enum": []string{"created", "replaced", "recalled", "updated"}},
		"unit_id": integer, "status": str,
		"document_id":   obj{"type": "string", "description": "edXML DocumentId: OrganId,yyyy/MM/dd,Số/Ký hiệu"},
		"business_code": obj{"type": "integer", "enum": []int{0, 1, 2, 3}},
		"replaced_id":   obj{"type": "integer", "format": "int64", "description": "The earlier copy a replacing document (code 3) replaces"},
		"files": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"id": integer, "name": str, "size": integer, "sha256": str, "content_type": str}}},
	}},
	"ExchangeRecipientStatus": obj{"type": "object", "properties": obj{
		"document_id": integer, "recipient_id": integer, "organ_name": str, "organ_id": str,
		"status": obj{"type": "string", "enum": []string{"01", "02", "03", "04", "05", "06"}}, "description": str,
		"at":      obj{"type": "string", "format": "date-time"},
		"applied": obj{"type": "boolean", "description": "false when a newer status of the recipient was already known"},
	}},
	"ExchangeStatusMessage": obj{"type": "object", "properties": obj{
		"id": integer, "document_id": integer, "status": obj{"type": "string", "enum": []string{"02", "03", "04", "05", "06"}},
		"description": str, "to_organ_id": str, "created_at": obj{"type": "string", "format": "date-time"},
		"edxml": obj{"type": "string", "description": "The status message to send"},
	}},
	"ExchangeOrgan": obj{"type": "object", "properties": obj{
		"unit_id": integer, "name": str, "organ_id": obj{"type": "string", "description": "Declared, or VT.{unit_id}"},
		"declared": obj{"type": "boolean"},
	}},
	// Work schedules (api_schedules.go).
	"ScheduleEntryInput": obj{"type": "object", "required": []string{"unit_id", "date", "start", "place", "content"}, "properties": obj{
		"unit_id": integer, "week": obj{"type": "string", "description": "Optional ISO week the date must fall in"},
		"date":  obj{"type": "string", "description": "YYYY-MM-DD or dd/mm/yyyy"},
		"start": obj{"type": "string", "description": "HH:MM"}, "end": obj{"type": "string", "description": "HH:MM, after start; optional"},
		"place": str, "content": str,
		"chair_ids":      obj{"type": "array", "items": integer, "description": "Users who preside"},
		"attendee_ids":   obj{"type": "array", "items": integer, "description": "Users who attend"},
		"attendees_text": str, "preparer_unit_id": integer, "preparer_user_id": integer, "preparer_text": str, "notes": str,
		"recurring": obj{"type": "boolean", "description": "Copied to the next week by copy-recurring"},
	}},
	"ScheduleEntry": obj{"type": "object", "properties": obj{
		"id": integer, "uid": str, "unit_id": integer, "unit_name": str, "week": str,
		"date": obj{"type": "string", "format": "date"}, "start": str, "end": obj{"type": []string{"string", "null"}},
		"period": obj{"type": "string", "enum": []string{"morning", "afternoon", "evening"}},
		"place":  str, "content": str,
		"chairs":         obj{"type": "array", "items": ref("SchedulePerson")},
		"attendees":      obj{"type": "array", "items": ref("SchedulePerson")},
		"attendees_text": str,
		"preparer_unit":  obj{"type": []string{"object", "null"}, "properties": obj{"id": integer, "name": str}},
		"preparer_user":  obj{"type": []string{"object", "null"}, "properties": obj{"id": integer, "name": str}},
		"preparer_text":  str, "notes": str, "recurring": obj{"type": "boolean"},
		"adjusted":  obj{"type": "boolean", "description": "Changed after publishing (điều chỉnh)"},
		"cancelled": obj{"type": "boolean", "description": "Removed after publishing"},
		"sequence":  obj{"type": "integer"}, "role": obj{"type": "string", "enum": []string{"chair", "attendee", "preparer"}},
		"updated_at": obj{"type": "string", "format": "date-time"}, "schedule_status": obj{"type": "string", "enum": []string{"draft", "published"}},
	}},
	"SchedulePerson": obj{"type": "object", "properties": obj{"id": integer, "name": str}},
	"Schedule": obj{"type": "object", "properties": obj{
		"id": obj{"type": []string{"integer", "null"}}, "unit_id": integer, "unit_name": str, "week": str,
		"week_start": obj{"type": "string", "format": "date"}, "week_end": obj{"type": "string", "format": "date"},
		"status":       obj{"type": "string", "enum": []string{"none", "draft", "published"}},
		"published_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"can_edit":     obj{"type": "boolean"}, "entries": obj{"type": "array", "items": ref("ScheduleEntry")},
		"notified": obj{"type": "integer", "description": "After publishing: people notified"},
	}},
	"ScheduleWeekRequest": obj{"type": "object", "required": []string{"unit_id", "week"}, "properties": obj{
		"unit_id": integer, "week": obj{"type": "string", "description": "ISO week, e.g. 2026-W17"},
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
	// Tasks (api_tasks.go).
	"TaskAssignee": obj{"type": "object", "description": "Exactly one of user_id or unit_id", "required": []string{"role"}, "properties": obj{
		"user_id": integer, "unit_id": integer, "name": obj{"type": "string", "readOnly": true},
		"role": obj{"type": "string", "enum": []string{"lead", "cooperate"}},
	}},
	"TaskRequest": obj{"type": "object", "required": []string{"title", "assignees"}, "properties": obj{
		"title": str, "description": str,
		"assignees": obj{"type": "array", "items": ref("TaskAssignee"), "description": "Exactly one lead; any cooperating"},
		"priority":  obj{"type": "string", "enum": []string{"low", "normal", "high", "urgent"}},
		"due_date":  obj{"type": "string", "format": "date", "description": "A date; or give due_in_working_days"},
		"due_in_working_days": obj{"type": "integer", "minimum": 1, "maximum": 366,
			"description": "Working days after start_date on the official calendar (holidays and days in lieu skipped, make-up days counted)"},
		"start_date":   obj{"type": "string", "format": "date", "description": "Default today (Vietnam)"},
		"parent_id":    obj{"type": "integer", "format": "int64", "description": "Makes it a subtask"},
		"direction_id": obj{"type": "integer", "format": "int64", "description": "A leader's direction it implements"},
		"document_id":  obj{"type": "integer", "format": "int64", "description": "A directing document it implements"},
		"unit_id":      obj{"type": "integer", "format": "int64", "description": "Assigning unit; default the acting unit"},
	}},
	"TaskExtensionRequest": obj{"type": "object", "required": []string{"reason"}, "properties": obj{
		"due_date": obj{"type": "string", "format": "date"}, "working_days": obj{"type": "integer", "description": "Or working days after the current due date"},
		"reason": str,
	}},
	"TaskDecisionRequest": obj{"type": "object", "required": []string{"approve"}, "properties": obj{
		"approve": obj{"type": "boolean"}, "note": obj{"type": "string", "description": "Required when refusing"},
	}},
	"TaskCompleteRequest": obj{"type": "object", "required": []string{"result"}, "properties": obj{"result": str}},
	"TaskExtension": obj{"type": "object", "properties": obj{
		"id": integer, "requested_by": integer, "old_due": obj{"type": "string", "format": "date"},
		"requested_due": obj{"type": "string", "format": "date"}, "reason": str,
		"status":     obj{"type": "string", "enum": []string{"pending", "approved", "rejected"}},
		"decided_by": obj{"type": []string{"integer", "null"}}, "decided_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"decision_note": str, "created_at": obj{"type": "string", "format": "date-time"},
	}},
	"Task": obj{"type": "object", "properties": obj{
		"id": integer, "title": str, "description": str, "priority": str,
		"status":     obj{"type": "string", "enum": []string{"new", "in_progress", "returned", "completed", "accepted", "cancelled"}},
		"start_date": obj{"type": "string", "format": "date"}, "due_date": obj{"type": "string", "format": "date"},
		"working_days": obj{"type": []string{"integer", "null"}}, "progress": obj{"type": "integer"}, "overdue": obj{"type": "boolean"},
		"assigner_id": integer, "assigner_name": str, "unit_id": integer, "unit_name": str,
		"parent_id": obj{"type": []string{"integer", "null"}}, "source": obj{"type": "string", "enum": []string{"standalone", "direction", "directing"}},
		"document_id": obj{"type": []string{"integer", "null"}}, "direction_id": obj{"type": []string{"integer", "null"}},
		"result": str, "return_reason": str, "assignees": obj{"type": "array", "items": ref("TaskAssignee")},
		"pending_extension": obj{"oneOf": []obj{ref("TaskExtension"), {"type": "null"}}},
		"created_at":        obj{"type": "string", "format": "date-time"},
		"completed_at":      obj{"type": []string{"string", "null"}, "format": "date-time"},
		"accepted_at":       obj{"type": []string{"string", "null"}, "format": "date-time"},
		"cancelled_at":      obj{"type": []string{"string", "null"}, "format": "date-time"},
	}},
	"TaskItem": obj{"type": "object", "properties": obj{
		"id": integer, "title": str, "priority": str, "status": str, "start_date": obj{"type": "string", "format": "date"},
		"due_date": obj{"type": "string", "format": "date"}, "progress": obj{"type": "integer"}, "overdue": obj{"type": "boolean"},
		"assigner_id": integer, "assigner_name": str, "lead": str, "cooperate": str,
		"parent_id": obj{"type": []string{"integer", "null"}}, "source": str, "document_id": obj{"type": []string{"integer", "null"}},
		"pending_extension": obj{"type": "boolean"},
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
			o["requestBody"] = obj{"required": !op.BodyOptional, "content": obj{ct: obj{"schema": op.Body}}}
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
