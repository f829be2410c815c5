package wire

// Macro is a user macro (Palette's V1Macro), read in profiles as
// {{ .spectro.macro.NAME }}.
type Macro struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Macros is the body of Palette's macro calls (V1Macros), for
// /v1/tenants/{uid}/macros and /v1/projects/{uid}/macros.
type Macros struct {
	Macros []Macro `json:"macros"`
}

// UserInfo is the answer of GET /v1/users/info (Palette's V1UserInfo), which
// Palette's clients read for the tenant uid.
type UserInfo struct {
	TenantUID string `json:"tenantUid"`
	UserUID   string `json:"userUid"`
	OrgName   string `json:"orgName"`
	Name      string `json:"name"`
}
