package access

// OfficeKind is the kind of a committee's office (Văn phòng), the unit
// directly under a committee that acts for it: its clerks and leaders draft
// and publish the committee's work schedule and manage its report templates.
const OfficeKind = "Văn phòng"
