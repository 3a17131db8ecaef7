package postgres

import "strconv"

// Args numbers query parameters while a WHERE clause is assembled from
// fixed fragments, so input never enters the SQL text.
type Args struct {
	values []any
}

// Add appends v and returns its placeholder, e.g. "$3".
func (a *Args) Add(v any) string {
	a.values = append(a.values, v)
	return "$" + strconv.Itoa(len(a.values))
}

// Values returns the parameters in order.
func (a *Args) Values() []any { return a.values }

// Predicate renders a WHERE fragment, adding its parameters to a. Access
// rules come out as predicates so every list is filtered in the database.
type Predicate func(a *Args) string

// True matches every row.
func True(*Args) string { return "TRUE" }
