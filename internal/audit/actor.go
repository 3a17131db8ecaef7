package audit

// Actor is who asks for a change and from where, for capabilities that
// record audit entries inside their own transactions.
type Actor struct {
	UserID    int64
	Login     string
	UnitID    int64
	IP        string
	UserAgent string
	RequestID string
}

// Entry builds a successful entry for an action by the actor.
func (a Actor) Entry(action, objectType, objectID string, details map[string]any) Entry {
	return Entry{ActorID: a.UserID, ActorLogin: a.Login, Action: action, Outcome: OutcomeSuccess,
		ObjectType: objectType, ObjectID: objectID, UnitID: a.UnitID, IP: a.IP, UserAgent: a.UserAgent,
		RequestID: a.RequestID, Details: details}
}
