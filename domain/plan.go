package domain

// Plan is a tenant's subscription tier and what it allows. A limit of 0 means
// unlimited.
type Plan struct {
	Name   string     `json:"name"`
	Limits PlanLimits `json:"limits"`
}

// PlanLimits are the caps of a plan.
type PlanLimits struct {
	APIKeys          int   `json:"api_keys"`
	StorageBytes     int64 `json:"storage_bytes"`
	RequestsPerMonth int64 `json:"requests_per_month"`
	ObjectTypes      int   `json:"object_types"`
	Objects          int64 `json:"objects"`
	Users            int   `json:"users"`
}

// DefaultPlan is what a new tenant gets.
const DefaultPlan = "free"

// Plans are the tiers a tenant can be on.
var Plans = map[string]Plan{
	"free": {Name: "free", Limits: PlanLimits{APIKeys: 25, StorageBytes: 1 << 30, RequestsPerMonth: 1_000_000,
		ObjectTypes: 50, Objects: 100_000, Users: 10_000}},
	"pro": {Name: "pro", Limits: PlanLimits{APIKeys: 250, StorageBytes: 100 << 30, RequestsPerMonth: 50_000_000,
		ObjectTypes: 500, Objects: 10_000_000, Users: 1_000_000}},
	"enterprise": {Name: "enterprise", Limits: PlanLimits{}},
}

// PlanFor returns the named plan, falling back to the default one.
func PlanFor(name string) Plan {
	if p, ok := Plans[name]; ok {
		return p
	}
	return Plans[DefaultPlan]
}
