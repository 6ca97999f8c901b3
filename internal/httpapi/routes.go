package httpapi

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var pageParams = []Param{
	{"limit", "items per page, 1 to 1000 (default 50)"},
	{"cursor", "next_cursor from the previous page"},
}

// routeTable declares every endpoint. Adding one here registers it, documents
// it in the OpenAPI document and, for Member routes, makes the tenant
// isolation test demand a case for it.
func (a *API) routeTable() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/me", Auth: Member, Tag: "Access", Summary: "Who the caller is", Resp: MeResponse{}, Handle: a.me},
		{Method: "GET", Path: "/api/v1/summary", Auth: Member, Tag: "Registry", Summary: "Counts for the organisation's dashboard", Resp: store.OrgSummary{}, Handle: a.summary},

		{Method: "GET", Path: "/api/v1/organisations", Auth: Member, Tag: "Organisations", Summary: "List organisations (all of them for site administrators)", Query: pageParams, Resp: ListBody[access.Organisation]{}, Handle: a.listOrganisations},
		{Method: "POST", Path: "/api/v1/organisations", Auth: Member, Tag: "Organisations", Summary: "Create an organisation (site administrators)", Body: OrganisationCreateRequest{}, Resp: access.Organisation{}, Status: http.StatusCreated, Handle: a.createOrganisation},
		{Method: "GET", Path: "/api/v1/organisation", Auth: Member, Tag: "Organisations", Summary: "The caller's organisation", Resp: access.Organisation{}, Handle: a.getOrganisation},
		{Method: "PATCH", Path: "/api/v1/organisation", Auth: Member, Tag: "Organisations", Summary: "Change the organisation's public profile (owners)", Body: OrganisationPatchRequest{}, Resp: access.Organisation{}, Handle: a.patchOrganisation},

		{Method: "GET", Path: "/api/v1/members", Auth: Member, Tag: "Organisations", Summary: "List members", Resp: ListBody[access.Member]{}, Handle: a.listMembers},
		{Method: "POST", Path: "/api/v1/members", Auth: Member, Tag: "Organisations", Summary: "Add a member, creating their account if needed (owners)", Body: MemberCreateRequest{}, Resp: MemberCreateResponse{}, Status: http.StatusCreated, Handle: a.addMember},
		{Method: "PATCH", Path: "/api/v1/members/{user}", Auth: Member, Tag: "Organisations", Summary: "Change a member's role (owners); {user} is a user ID or email", Body: MemberPatchRequest{}, Resp: access.Member{}, Handle: a.patchMember},
		{Method: "DELETE", Path: "/api/v1/members/{user}", Auth: Member, Tag: "Organisations", Summary: "Remove a member and revoke their tokens (owners)", Handle: a.removeMember},

		{Method: "GET", Path: "/api/v1/tokens", Auth: Member, Tag: "Access", Summary: "List API tokens (one's own; all for owners)", Resp: ListBody[access.Token]{}, Handle: a.listTokens},
		{Method: "POST", Path: "/api/v1/tokens", Auth: Member, Tag: "Access", Summary: "Create an API token; its secret is shown once", Body: TokenCreateRequest{}, Resp: TokenCreateResponse{}, Status: http.StatusCreated, Handle: a.createToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{token}", Auth: Member, Tag: "Access", Summary: "Revoke an API token", Resp: access.Token{}, Handle: a.revokeToken},

		{Method: "GET", Path: "/api/v1/products", Auth: Member, Tag: "Products", Summary: "List products", Query: append([]Param{{"q", "search name and model designation"}, {"published", "true or false"}}, pageParams...), Resp: ListBody[ProductResponse]{}, Handle: a.listProducts},
		{Method: "POST", Path: "/api/v1/products", Auth: Member, Tag: "Products", Summary: "Register a product", Body: ProductCreateRequest{}, Resp: ProductResponse{}, Status: http.StatusCreated, Handle: a.createProduct},
		{Method: "GET", Path: "/api/v1/products/{product}", Auth: Member, Tag: "Products", Summary: "Get a product by slug or ID", Resp: ProductResponse{}, Handle: a.getProduct},
		{Method: "PATCH", Path: "/api/v1/products/{product}", Auth: Member, Tag: "Products", Summary: "Change a product; set published to show it on the public pages", Body: registry.ProductPatch{}, Resp: ProductResponse{}, Handle: a.patchProduct},
		{Method: "DELETE", Path: "/api/v1/products/{product}", Auth: Member, Tag: "Products", Summary: "Delete a product that was never published", Handle: a.deleteProduct},

		{Method: "GET", Path: "/api/v1/products/{product}/support-period", Auth: Member, Tag: "Support periods", Summary: "A product's support period and every change to it", Resp: SupportPeriodResponse{}, Handle: a.getSupportPeriod},
		{Method: "PUT", Path: "/api/v1/products/{product}/support-period", Auth: Member, Tag: "Support periods", Summary: "Declare, extend or (forced, with a reason) shorten the support period", Body: SupportPeriodRequest{}, Resp: SupportPeriodResponse{}, Handle: a.putSupportPeriod},

		{Method: "GET", Path: "/api/v1/products/{product}/hardware-revisions", Auth: Member, Tag: "Products", Summary: "List hardware revisions", Resp: ListBody[registry.HardwareRevision]{}, Handle: a.listRevisions},
		{Method: "POST", Path: "/api/v1/products/{product}/hardware-revisions", Auth: Member, Tag: "Products", Summary: "Add a hardware revision", Body: HardwareRevisionRequest{}, Resp: registry.HardwareRevision{}, Status: http.StatusCreated, Handle: a.createRevision},
		{Method: "DELETE", Path: "/api/v1/products/{product}/hardware-revisions/{revision}", Auth: Member, Tag: "Products", Summary: "Remove a hardware revision no device uses", Handle: a.deleteRevision},

		{Method: "GET", Path: "/api/v1/products/{product}/releases", Auth: Member, Tag: "Releases", Summary: "List firmware releases, newest first", Query: pageParams, Resp: ListBody[registry.Release]{}, Handle: a.listReleases},
		{Method: "POST", Path: "/api/v1/products/{product}/releases", Auth: Member, Tag: "Releases", Summary: "Record a firmware release", Body: ReleaseCreateRequest{}, Resp: registry.Release{}, Status: http.StatusCreated, Handle: a.createRelease},
		{Method: "GET", Path: "/api/v1/products/{product}/releases/{version}", Auth: Member, Tag: "Releases", Summary: "Get a release", Resp: registry.Release{}, Handle: a.getRelease},
		{Method: "PATCH", Path: "/api/v1/products/{product}/releases/{version}", Auth: Member, Tag: "Releases", Summary: "Change a release's date or notes", Body: registry.ReleasePatch{}, Resp: registry.Release{}, Handle: a.patchRelease},
		{Method: "DELETE", Path: "/api/v1/products/{product}/releases/{version}", Auth: Member, Tag: "Releases", Summary: "Delete a release no device runs", Handle: a.deleteRelease},

		{Method: "PUT", Path: "/api/v1/products/{product}/releases/{version}/image", Auth: Member, Tag: "Releases", Summary: "Upload the release's firmware image (application/octet-stream), streamed and hashed; refused once the release is signed", Query: []Param{{"file_name", "the image's file name, e.g. plug-2.1.0.bin (required)"}}, Body: imageBody{}, RawBody: true, Resp: registry.Release{}, Handle: a.uploadImage},
		{Method: "PUT", Path: "/api/v1/products/{product}/releases/{version}/sbom", Auth: Member, Tag: "Releases", Summary: "Attach the release's SBOM: CycloneDX 1.4-1.6 (JSON or XML), SPDX 2.3 (JSON or tag-value) or SPDX 3.0.1 JSON-LD as Yocto writes it; replaces any before it", Body: sbomBody{}, RawBody: true, Resp: store.ReleaseSBOM{}, Handle: a.putSBOM},
		{Method: "GET", Path: "/api/v1/products/{product}/releases/{version}/sbom", Auth: Member, Tag: "Releases", Summary: "The release's SBOM: summary and components", Resp: SBOMResponse{}, Handle: a.getSBOM},
		{Method: "GET", Path: "/api/v1/products/{product}/releases/{version}/findings", Auth: Member, Tag: "Vulnerabilities", Summary: "The release's vulnerability findings, worst first, each with why it matched", Resp: FindingListResponse{}, Handle: a.releaseFindings},
		{Method: "GET", Path: "/api/v1/vulnerabilities", Auth: Member, Tag: "Vulnerabilities", Summary: "The portfolio view: vulnerabilities in the organisation's releases, worst first, with devices exposed in and out of support and the fixing release", Query: []Param{{"product", "only this product (slug or ID)"}, {"resolved", "true to include vulnerabilities whose every finding is resolved"}}, Resp: VulnListResponse{}, Handle: a.listVulns},
		{Method: "GET", Path: "/api/v1/vulnerabilities/{id}", Auth: Member, Tag: "Vulnerabilities", Summary: "One vulnerability by any of its ids or aliases: advisories, exposure, findings and triage", Resp: service.VulnDetail{}, Handle: a.getVuln},
		{Method: "POST", Path: "/api/v1/vulnerabilities/{id}/triage", Auth: Member, Tag: "Vulnerabilities", Summary: "Triage a finding; the decision carries over to the same component in other releases", Body: service.TriageRequest{}, Resp: store.Triage{}, Handle: a.triage},
		{Method: "GET", Path: "/api/v1/vex", Auth: Member, Tag: "Vulnerabilities", Summary: "The organisation's uploaded VEX documents", Resp: ListBody[store.VEXDocument]{}, Handle: a.listVEX},
		{Method: "POST", Path: "/api/v1/vex", Auth: Member, Tag: "Vulnerabilities", Summary: "Upload a VEX document (CycloneDX VEX, OpenVEX or CSAF VEX); its statements apply to findings at once", Query: []Param{{"name", "a name for the document"}}, Body: vexBody{}, RawBody: true, Resp: VEXUploadResponse{}, Status: http.StatusCreated, Handle: a.uploadVEX},
		{Method: "GET", Path: "/api/v1/feeds", Auth: Member, Tag: "Vulnerabilities", Summary: "The advisory feeds, how their last imports went, and the records held per source", Resp: FeedListResponse{}, Handle: a.listFeeds},
		{Method: "GET", Path: "/api/v1/notification-targets", Auth: Member, Tag: "Notifications", Summary: "Where the organisation's vulnerability notifications go", Resp: ListBody[store.NotificationTarget]{}, Handle: a.listTargets},
		{Method: "POST", Path: "/api/v1/notification-targets", Auth: Member, Tag: "Notifications", Summary: "Add a webhook (signed with HMAC-SHA256; the secret is shown once) or email target for new findings at or above a CVSS score and for newly exploited vulnerabilities (owners)", Body: service.NewTarget{}, Resp: NotificationTargetResponse{}, Status: http.StatusCreated, Handle: a.createTarget},
		{Method: "DELETE", Path: "/api/v1/notification-targets/{target}", Auth: Member, Tag: "Notifications", Summary: "Remove a notification target and its pending deliveries (owners)", Handle: a.deleteTarget},
		{Method: "POST", Path: "/api/v1/notification-targets/{target}/test", Auth: Member, Tag: "Notifications", Summary: "Queue a test notification to a target (owners)", Status: http.StatusAccepted, Handle: a.testTarget},
		{Method: "GET", Path: "/api/v1/notification-targets/{target}/deliveries", Auth: Member, Tag: "Notifications", Summary: "A target's latest deliveries: attempts, errors, delivered or given up", Resp: ListBody[store.Notification]{}, Handle: a.targetDeliveries},
		{Method: "POST", Path: "/api/v1/feeds/import", Auth: Member, Tag: "Vulnerabilities", Summary: "Import an advisory feed (OSV, NVD CVE API 2.0, CSAF 2.0, CISA KEV) from a file, directory or URL on the server, incrementally, and rematch what changed (site administrators)", Body: FeedImportRequest{}, Resp: service.FeedResult{}, Handle: a.importFeed},
		{Method: "POST", Path: "/api/v1/products/{product}/releases/{version}/sign", Auth: Member, Tag: "Releases", Summary: "Sign the release's image into the product's TUF targets metadata; devices can fetch it from then on", Resp: registry.Release{}, Handle: a.signRelease},

		{Method: "GET", Path: "/api/v1/products/{product}/update-repository", Auth: Member, Tag: "Update repository", Summary: "The product's TUF repository: online keys, root and metadata versions, where it is served", Resp: service.RepositoryStatus{}, Handle: a.getRepository},
		{Method: "POST", Path: "/api/v1/products/{product}/update-repository/keys", Auth: Member, Tag: "Update repository", Summary: "Create online signing keys (owners): for the roles named, or for every online role without one; new keys are pending until a root lists them", Body: OnlineKeysRequest{}, Resp: service.RepositoryStatus{}, Status: http.StatusCreated, Handle: a.createOnlineKeys},
		{Method: "PUT", Path: "/api/v1/products/{product}/update-repository/root", Auth: Member, Tag: "Update repository", Summary: "Install root metadata signed offline (owners): the first root, or the next version signed by the old and new root keys", Body: rootBody{}, RawBody: true, Resp: service.RepositoryStatus{}, Handle: a.installRoot},

		{Method: "GET", Path: "/api/v1/products/{product}/enrolment-tokens", Auth: Member, Tag: "Devices", Summary: "List the product's device enrolment tokens", Resp: ListBody[registry.EnrolmentToken]{}, Handle: a.listEnrolmentTokens},
		{Method: "POST", Path: "/api/v1/products/{product}/enrolment-tokens", Auth: Member, Tag: "Devices", Summary: "Create an enrolment token for devices of the product (owners); its secret is shown once", Body: EnrolmentTokenRequest{}, Resp: EnrolmentTokenResponse{}, Status: http.StatusCreated, Handle: a.createEnrolmentToken},
		{Method: "DELETE", Path: "/api/v1/products/{product}/enrolment-tokens/{token}", Auth: Member, Tag: "Devices", Summary: "Revoke an enrolment token; enrolled devices keep working", Resp: registry.EnrolmentToken{}, Handle: a.revokeEnrolmentToken},
		{Method: "PUT", Path: "/api/v1/products/{product}/devices/{serial}/group", Auth: Member, Tag: "Devices", Summary: "Put a device in a group that rollouts can target", Body: DeviceGroupRequest{}, Handle: a.setDeviceGroup},
		{Method: "DELETE", Path: "/api/v1/products/{product}/devices/{serial}/key", Auth: Member, Tag: "Devices", Summary: "Forget a device's key so it can enrol again (owners)", Handle: a.resetDeviceKey},

		{Method: "GET", Path: "/api/v1/rollouts", Auth: Member, Tag: "Rollouts", Summary: "List rollouts with live progress, newest first", Query: []Param{{"product", "product slug or ID"}}, Resp: ListBody[service.RolloutView]{}, Handle: a.listRollouts},
		{Method: "POST", Path: "/api/v1/products/{product}/rollouts", Auth: Member, Tag: "Rollouts", Summary: "Roll a signed release out in phases", Body: RolloutRequest{}, Resp: service.RolloutView{}, Status: http.StatusCreated, Handle: a.createRollout},
		{Method: "GET", Path: "/api/v1/rollouts/{rollout}", Auth: Member, Tag: "Rollouts", Summary: "A rollout with its live progress", Resp: service.RolloutView{}, Handle: a.getRollout},
		{Method: "POST", Path: "/api/v1/rollouts/{rollout}/actions", Auth: Member, Tag: "Rollouts", Summary: "Pause, resume or abort a rollout", Body: RolloutActionRequest{}, Resp: service.RolloutView{}, Handle: a.changeRollout},

		{Method: "POST", Path: deviceapi.EnrolPath, Auth: Public, Tag: "Device API", Summary: "Enrol a device and its Ed25519 public key with an enrolment token; sign the request with that key (Lifeline-Device id=enrol,…)", Body: deviceapi.EnrolRequest{}, Resp: deviceapi.EnrolResponse{}, RawBody: true, Handle: a.enrol},
		{Method: "POST", Path: deviceapi.SessionPath, Auth: Device, Tag: "Device API", Summary: "Open a 24-hour session: a request signed by the device key returns a key for HMAC-authenticated requests (Lifeline-Session)", Resp: deviceapi.SessionResponse{}, RawBody: true, Handle: a.newSession},
		{Method: "POST", Path: deviceapi.CheckInPath, Auth: Device, Tag: "Device API", Summary: "Report the device's state; learn what to install and when to check in next", Body: deviceapi.CheckInRequest{}, Resp: deviceapi.CheckInResponse{}, RawBody: true, Handle: a.checkIn},

		{Method: "GET", Path: "/api/v1/devices", Auth: Member, Tag: "Devices", Summary: "List devices", Query: append([]Param{{"product", "product slug or ID"}, {"hardware_revision", "revision name"}, {"installed_version", "release version"}, {"serial_prefix", "serials starting with this"}, {"seen_since", "RFC 3339 time"}}, pageParams...), Resp: ListBody[registry.Device]{}, Handle: a.listDevices},
		{Method: "GET", Path: "/api/v1/devices/count", Auth: Member, Tag: "Devices", Summary: "Count devices (same filters as the list)", Query: []Param{{"product", "product slug or ID"}, {"hardware_revision", "revision name"}, {"installed_version", "release version"}, {"serial_prefix", "serials starting with this"}, {"seen_since", "RFC 3339 time"}}, Resp: CountResponse{}, Handle: a.countDevices},
		{Method: "GET", Path: "/api/v1/products/{product}/devices/{serial}", Auth: Member, Tag: "Devices", Summary: "Get a device", Resp: registry.Device{}, Handle: a.getDevice},
		{Method: "GET", Path: "/api/v1/products/{product}/devices/{serial}/vulnerabilities", Auth: Member, Tag: "Vulnerabilities", Summary: "The open vulnerability findings of the release a device runs", Resp: FindingListResponse{}, Handle: a.deviceVulns},
		{Method: "PUT", Path: "/api/v1/products/{product}/devices/{serial}", Auth: Member, Tag: "Devices", Summary: "Create or update a device", Body: DevicePutRequest{}, Resp: registry.Device{}, Handle: a.putDevice},
		{Method: "DELETE", Path: "/api/v1/products/{product}/devices/{serial}", Auth: Member, Tag: "Devices", Summary: "Remove a device", Handle: a.deleteDevice},
		{Method: "POST", Path: "/api/v1/products/{product}/device-imports", Auth: Member, Tag: "Devices", Summary: "Import devices from CSV (text/csv) or JSON (application/json); all rows or none", Query: []Param{{"dry_run", "true: check the file and write nothing"}}, Body: importBody{}, RawBody: true, Resp: deviceimport.Report{}, Handle: a.importDevices},

		{Method: "GET", Path: "/api/v1/audit", Auth: Member, Tag: "Audit", Summary: "The organisation's audit log, newest first", Query: append([]Param{{"action", `exact action, or a prefix ending in "." such as "product."`}, {"actor", "email address or system"}, {"target_type", "e.g. product"}, {"target_id", "ID"}, {"since", "RFC 3339 time"}, {"until", "RFC 3339 time"}}, pageParams...), Resp: ListBody[audit.Event]{}, Handle: a.listAudit},

		{Method: "GET", Path: "/public/products", Auth: Public, Tag: "Public", Summary: "Published products with their support periods; search with q", Query: append([]Param{{"q", "model designation or product name"}, {"manufacturer", "manufacturer slug"}}, pageParams...), Resp: ListBody[PublicProduct]{}, Handle: a.publicProducts},
		{Method: "GET", Path: "/public/products/{manufacturer}/{product}", Auth: Public, Tag: "Public", Summary: "One published product with its support-period history", Resp: PublicProduct{}, Handle: a.publicProduct},
		{Method: "GET", Path: "/public/manufacturers", Auth: Public, Tag: "Public", Summary: "Manufacturers with published products", Resp: ListBody[PublicManufacturer]{}, Handle: a.publicManufacturers},
		{Method: "GET", Path: "/public/manufacturers/{manufacturer}", Auth: Public, Tag: "Public", Summary: "One manufacturer", Resp: PublicManufacturer{}, Handle: a.publicManufacturer},
	}
}

// imageBody documents the firmware image upload: raw bytes.
type imageBody []byte

// rootBody documents the root upload: TUF root metadata as JSON.
type rootBody map[string]any

// importBody documents the device import body; the handler reads it raw.
type importBody struct {
	Devices []importDevice `json:"devices"`
}

type importDevice struct {
	Serial           string `json:"serial"`
	HardwareRevision string `json:"hardware_revision,omitempty"`
	InstalledVersion string `json:"installed_version,omitempty"`
	FirstSeen        string `json:"first_seen,omitempty"`
	LastSeen         string `json:"last_seen,omitempty"`
}
