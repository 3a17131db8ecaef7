package server

// The reports API in the OpenAPI document (reports_api.go).

func reportAPIOperations() []apiOperation {
	return []apiOperation{
		{Method: "GET", Path: "/api/v1/reports/templates", Summary: "Report templates the caller oversees (issued by their units), by name", Params: []obj{
			queryParam("q", "Name, with or without diacritics", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("ReportTemplateItem")},
		{Method: "POST", Path: "/api/v1/reports/templates", Summary: "Create a report template (a leader or clerk of the issuing unit, or its office); opens its periods up to today's",
			Body: ref("ReportTemplateRequest"), Response: ref("ReportTemplate"), Status: "201"},
		{Method: "GET", Path: "/api/v1/reports/templates/{id}", Summary: "A template with its current version's fields",
			Params: []obj{pathParam("id")}, Response: ref("ReportTemplate")},
		{Method: "GET", Path: "/api/v1/reports/templates/{id}/periods", Summary: "A template's periods, newest first, with how many units submitted, are late or overdue",
			Params: []obj{pathParam("id")}, Response: listOf("ReportPeriod")},
		{Method: "GET", Path: "/api/v1/reports/periods/{id}/submissions", Summary: "A period's expected units and the state of their reports, by unit name", Params: []obj{
			pathParam("id"),
			queryParam("state", "missing, late, submitted, returned or accepted (default all)", obj{"type": "string",
				"enum": []string{"missing", "late", "submitted", "returned", "accepted"}}),
			queryParam("q", "Unit name or code", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–1000 (default 200)", obj{"type": "integer"}),
		}, Response: listOf("ReportRow")},
		{Method: "GET", Path: "/api/v1/reports/periods/{id}/aggregate", Summary: "A period's figures added up exactly: per number field count, sum, average, min, max, by unit, by branch, and against the previous period", Params: []obj{
			pathParam("id"),
			queryParam("accepted", "true: count accepted reports only", obj{"type": "boolean"}),
			queryParam("branch", "Only units under this direct subordinate of the issuer", integer),
		}, Response: ref("ReportAggregate")},
		{Method: "POST", Path: "/api/v1/reports/periods/{id}/remind", Summary: "Remind the units that have not sent their report (all, or the given submissions); recorded on each",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"submission_ids": obj{"type": "array", "items": integer}}},
			Response: obj{"type": "object", "properties": obj{"units": obj{"type": "integer"}, "notifications": obj{"type": "integer"}}}},
		{Method: "GET", Path: "/api/v1/reports/submissions", Summary: "Reports the caller's units must send (box=open, by due date) or have sent (box=sent)", Params: []obj{
			queryParam("box", "open (default) or sent", obj{"type": "string", "enum": []string{"open", "sent"}}),
			queryParam("q", "Template name", str),
			queryParam("cursor", "Opaque cursor from next_cursor", str), queryParam("limit", "1–200 (default 50)", obj{"type": "integer"}),
		}, Response: listOf("ReportItem")},
		{Method: "GET", Path: "/api/v1/reports/submissions/{id}", Summary: "One unit's report: its fields, values, state and what the caller may do",
			Params: []obj{pathParam("id")}, Response: ref("ReportSubmission")},
		{Method: "POST", Path: "/api/v1/reports/submissions/{id}/draft", Summary: "Save the draft; answers the messages of values that cannot be read (the draft is saved all the same)",
			Params: []obj{pathParam("id")}, Body: ref("ReportValues"), Response: obj{"type": "object", "properties": obj{
				"saved_at": obj{"type": "string", "format": "date-time"}, "errors": obj{"type": "object", "additionalProperties": str}}}},
		{Method: "POST", Path: "/api/v1/reports/submissions/{id}/submit", Summary: "Send the report: the unit's leader sends it up; anyone else of the unit hands it to the leader. 422 with a message per field when incomplete",
			Params: []obj{pathParam("id")}, Body: ref("ReportValues"), Response: obj{"type": "object", "properties": obj{
				"status": str, "revision": obj{"type": "integer"}, "late": obj{"type": "boolean"}}}},
		{Method: "POST", Path: "/api/v1/reports/submissions/{id}/return", Summary: "Return a submitted report with a comment (a leader of the issuing unit or its office)",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "required": []string{"comment"}, "properties": obj{"comment": str}}, Response: ref("ReportSubmission")},
		{Method: "POST", Path: "/api/v1/reports/submissions/{id}/accept", Summary: "Accept a submitted report (a leader of the issuing unit or its office)",
			Params: []obj{pathParam("id")}, Body: obj{"type": "object", "properties": obj{"comment": str}}, Response: ref("ReportSubmission")},
	}
}

func init() {
	// The reports' schemas join the shared catalogue here, so openapi.go
	// only lists where the operations come from.
	for k, v := range reportSchemas {
		schemas[k] = v
	}
}

var reportSchemas = obj{
	"ReportField": obj{"type": "object", "required": []string{"label", "kind"}, "properties": obj{
		"key":      obj{"type": "string", "description": "Stable across versions; given as f1, f2… when left out"},
		"label":    str,
		"kind":     obj{"type": "string", "enum": []string{"number", "text", "table", "attachment"}},
		"unit":     obj{"type": "string", "description": "Unit of measure of a number"},
		"min":      obj{"type": "string", "description": "Vietnamese notation, e.g. 0 or 1.000,5"},
		"max":      str,
		"decimals": obj{"type": "integer", "description": "Digits allowed after the comma, 0–6"},
		"required": obj{"type": "boolean"},
		"help":     str,
		"columns": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"key": str, "label": str, "kind": obj{"type": "string", "enum": []string{"text", "number"}}, "unit": str, "decimals": obj{"type": "integer"},
		}}},
	}},
	"ReportTemplateRequest": obj{"type": "object", "required": []string{"name", "period_kind", "recipients_kind", "fields"}, "properties": obj{
		"issuer_unit_id":   obj{"type": "integer", "description": "Default: the caller's acting unit"},
		"name":             str,
		"description":      str,
		"period_kind":      obj{"type": "string", "enum": []string{"week", "month", "quarter", "half_year", "year", "ad_hoc"}},
		"due_rule":         obj{"type": "string", "enum": []string{"working_days", "month_day"}, "description": "Ignored for ad hoc templates"},
		"due_n":            obj{"type": "integer", "description": "Working days after the period (0–60) or day of the next month (1–28)"},
		"recipients_kind":  obj{"type": "string", "enum": []string{"subtree", "list"}},
		"recipients_level": obj{"type": "string", "description": "For subtree: province, body, commune, grassroots or cell"},
		"recipient_units":  obj{"type": "array", "items": integer, "description": "For list"},
		"starts_on":        obj{"type": "string", "format": "date", "description": "The first period holds this day (default today)"},
		"fields":           obj{"type": "array", "items": ref("ReportField")},
	}},
	"ReportTemplate": obj{"type": "object", "properties": obj{
		"id": integer, "issuer_unit_id": integer, "issuer_name": str, "name": str, "description": str, "period_kind": str,
		"due_rule": str, "due_n": obj{"type": "integer"}, "recipients_kind": str, "recipients_level": obj{"type": []string{"string", "null"}},
		"starts_on": obj{"type": "string", "format": "date-time"}, "current_version": obj{"type": "integer"}, "active": obj{"type": "boolean"},
		"fields":          obj{"type": "array", "items": ref("ReportField")},
		"recipient_units": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"id": integer, "name": str}}},
	}},
	"ReportTemplateItem": obj{"type": "object", "properties": obj{
		"id": integer, "name": str, "issuer_unit_id": integer, "issuer_name": str, "period_kind": str, "active": obj{"type": "boolean"},
		"current_version": obj{"type": "integer"}, "latest_period_id": obj{"type": []string{"integer", "null"}},
		"latest_period_label": obj{"type": []string{"string", "null"}}, "latest_due_date": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"expected": obj{"type": "integer"}, "submitted": obj{"type": "integer"},
	}},
	"ReportPeriod": obj{"type": "object", "properties": obj{
		"id": integer, "template_id": integer, "label": str,
		"starts_on": obj{"type": "string", "format": "date-time"}, "ends_on": obj{"type": "string", "format": "date-time"},
		"due_date": obj{"type": "string", "format": "date-time"},
		"expected": obj{"type": "integer"}, "pending": obj{"type": "integer"}, "submitted": obj{"type": "integer"},
		"returned": obj{"type": "integer"}, "accepted": obj{"type": "integer"}, "late": obj{"type": "integer"}, "overdue": obj{"type": "integer"},
	}},
	"ReportRow": obj{"type": "object", "properties": obj{
		"submission_id": integer, "unit_id": integer, "unit_name": str, "unit_code": obj{"type": []string{"string", "null"}},
		"status":   obj{"type": "string", "enum": []string{"pending", "awaiting_approval", "submitted", "returned", "accepted"}},
		"revision": obj{"type": "integer"}, "late": obj{"type": "boolean"}, "overdue": obj{"type": "boolean"},
		"first_submitted_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"submitted_at":       obj{"type": []string{"string", "null"}, "format": "date-time"},
		"reminders":          obj{"type": "integer"}, "last_reminded_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
	}},
	"ReportItem": obj{"type": "object", "properties": obj{
		"id": integer, "template_id": integer, "template_name": str, "issuer_name": str, "period_id": integer, "period_label": str,
		"unit_id": integer, "unit_name": str, "due_date": obj{"type": "string", "format": "date-time"}, "status": str,
		"draft_saved_at":     obj{"type": []string{"string", "null"}, "format": "date-time"},
		"first_submitted_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
		"submitted_at":       obj{"type": []string{"string", "null"}, "format": "date-time"},
		"reminders":          obj{"type": "integer"},
	}},
	"ReportValue": obj{"type": "object", "description": "One of text (numbers in Vietnamese notation), number or rows", "properties": obj{
		"text": str, "number": obj{"type": "number"},
		"rows": obj{"type": "array", "items": obj{"type": "object", "additionalProperties": str, "description": "Column key → cell"}},
	}},
	"ReportValues": obj{"type": "object", "properties": obj{
		"values": obj{"type": "object", "additionalProperties": ref("ReportValue"), "description": "Field key → value; attachments are uploaded on the report's page"},
	}},
	"ReportSubmission": obj{"type": "object", "properties": obj{
		"id": integer, "period_id": integer, "template_id": integer, "unit_id": integer, "unit_name": str, "issuer_unit_id": integer,
		"issuer_name": str, "template_name": str, "period_label": str, "due_date": obj{"type": "string", "format": "date-time"},
		"version": obj{"type": "integer"}, "status": str, "revision": obj{"type": "integer"}, "late": obj{"type": "boolean"},
		"values": obj{"type": "object", "additionalProperties": ref("ReportValue")},
		"fields": obj{"type": "array", "items": ref("ReportField")},
		"actions": obj{"type": "object", "additionalProperties": obj{"type": "boolean"},
			"description": "edit, submit, send_for_approval, send_back, accept, return, remind"},
	}},
	"ReportAggregate": obj{"type": "object", "properties": obj{
		"period": ref("ReportPeriod"), "previous_period": obj{"oneOf": []obj{ref("ReportPeriod"), {"type": "null"}}},
		"accepted_only": obj{"type": "boolean"}, "counted": obj{"type": "integer"},
		"fields": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"key": str, "label": str, "unit": str, "count": obj{"type": "integer"},
			"sum": obj{"type": "string", "description": "Exact decimal, e.g. 2231.5"}, "avg": str, "min": str, "max": str,
			"previous_sum": str, "difference": str, "percent": obj{"type": "string", "description": "Change against the previous sum, one decimal"},
		}}},
		"units": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"submission_id": integer, "unit_id": integer, "unit_name": str, "status": str, "late": obj{"type": "boolean"},
			"counted": obj{"type": "boolean"}, "branch_id": integer,
			"values":   obj{"type": "object", "additionalProperties": str},
			"previous": obj{"type": "object", "additionalProperties": str},
		}}},
		"branches": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"unit_id": integer, "unit_name": str, "reports": obj{"type": "integer"}, "counted": obj{"type": "integer"},
			"sums": obj{"type": "object", "additionalProperties": str},
		}}},
	}},
}
