package web

// Viewer is the signed-in person as the page header shows them.
type Viewer struct {
	Name      string
	Login     string
	UnitName  string
	RoleLabel string
	IsAdmin   bool
	Unread    int // unread notifications, shown on the header's bell
}

// Page carries what the layout needs around every page's content.
type Page struct {
	Title  string
	Active string // key of the current navigation section
	Viewer *Viewer
	Flash  *Flash
}

// Flash is a one-time message shown at the top of a page.
type Flash struct {
	Kind    string // ok, error, info
	Message string
}

// NavItem is one main navigation entry.
type NavItem struct {
	Key    string
	Label  string
	Href   string
	Hotkey string
}

// MainNav lists the sections in the order clerks asked for.
var MainNav = []NavItem{
	{Key: "incoming", Label: "Văn bản đến", Href: "/incoming", Hotkey: "1"},
	{Key: "outgoing", Label: "Văn bản đi", Href: "/outgoing", Hotkey: "2"},
	{Key: "tasks", Label: "Công việc", Href: "/tasks", Hotkey: "3"},
	{Key: "reports", Label: "Báo cáo", Href: "/reports", Hotkey: "4"},
	{Key: "admin", Label: "Quản trị", Href: "/admin", Hotkey: "5"},
}
