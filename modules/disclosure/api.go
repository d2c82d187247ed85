package disclosure

import (
	"context"
	"mime"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/written"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
	"safetypilot/web/challenge"
	"safetypilot/web/upload"
)

// API serves the disclosure endpoints of the console and the public.
type API struct {
	svc        *Service
	tenants    *tenants.Service
	enforcer   *rbac.Enforcer
	limiter    *web.RateLimiter
	challenges *challenge.Service
}

// NewAPI builds the handlers; challenges guards the request for information
// (the page always, the JSON API when so configured).
func NewAPI(svc *Service, t *tenants.Service, enforcer *rbac.Enforcer, limiter *web.RateLimiter, challenges *challenge.Service) *API {
	return &API{svc: svc, tenants: t, enforcer: enforcer, limiter: limiter, challenges: challenges}
}

// Public limits per client IP.
const (
	requestsPerMinute = 5
	lookupsPerMinute  = 30
)

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	perm := func(p string) fiber.Handler { return web.Require(a.enforcer, p, web.CountyScope) }
	c := app.Group("/api/v1/counties/:county")
	c.Post("/disclosures", perm("disclosure:write"), a.createRecord)
	c.Get("/disclosures", perm("disclosure:read"), a.listRecords)
	c.Get("/disclosures/:id", perm("disclosure:read"), a.showRecord)
	c.Put("/disclosures/:id", perm("disclosure:write"), a.updateRecord)
	c.Post("/disclosures/:id/submit", perm("disclosure:write"), a.submitRecord)
	c.Post("/disclosures/:id/review", perm("disclosure:review"), a.reviewRecord)
	c.Post("/disclosures/:id/publish", perm("disclosure:publish"), a.publishRecord)
	c.Post("/disclosures/:id/withdraw", perm("disclosure:publish"), a.withdrawRecord)
	c.Post("/disclosures/:id/attachments", perm("disclosure:write"), a.uploadAttachment)
	c.Get("/disclosures/:id/attachments/:att", perm("disclosure:read"), a.downloadAttachment(false))
	c.Get("/disclosure-settings", perm("disclosure:read"), a.showSettings)
	c.Put("/disclosure-settings", perm("disclosure:configure"), a.saveSettings)
	c.Get("/info-requests", perm("disclosure:read"), a.listRequests)
	c.Get("/info-requests/:id", perm("disclosure:read"), a.showRequest)
	c.Post("/info-requests/:id/answer", perm("disclosure:write"), a.answerRequest)
	c.Post("/info-requests/:id/extend", perm("disclosure:extend"), a.extendRequest)
	c.Post("/info-requests/:id/correction", perm("disclosure:write"), a.askCorrection)
	c.Post("/info-requests/:id/corrected", perm("disclosure:write"), a.recordCorrected)
	c.Post("/info-requests/:id/consultation", perm("disclosure:write"), a.startConsultation)
	c.Post("/info-requests/:id/consultation/end", perm("disclosure:write"), a.endConsultation)

	p := app.Group("/api/v1/public/counties/:county", a.RequireActiveCounty)
	p.Get("/disclosures", a.listPublished)
	p.Get("/disclosures/:id", a.showPublished)
	p.Get("/disclosures/:id/attachments/:att", a.downloadAttachment(true))
	p.Post("/info-requests", a.limiter.Limit("info-request", requestsPerMinute, time.Minute),
		a.challenges.RequireOnAPI(requestForm), a.fileRequest)
	p.Get("/info-requests/:tracking", a.limiter.Limit("track", lookupsPerMinute, time.Minute), a.trackRequest)
}

// requestForm is the challenge form of the county's request for information.
func requestForm(c *fiber.Ctx) string {
	return challenge.Form(challenge.KindInfoRequest, c.Params("county"))
}

// RequireActiveCounty hides counties that are not active pilots.
func (a *API) RequireActiveCounty(c *fiber.Ctx) error {
	return web.ActiveCounty(c, a.tenants.RequireActive)
}

// ActorOf is the signed-in user as a disclosure actor.
func ActorOf(c *fiber.Ctx) Actor {
	p := web.CurrentUser(c)
	return Actor{ID: p.UserID, Username: p.Username}
}

func (a *API) createRecord(c *fiber.Ctx) error {
	var in RecordInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Create(c.UserContext(), c.Params("county"), ActorOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (a *API) listRecords(c *fiber.Ctx) error {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	status := c.Query("status")
	if status != "" && StatusTitle(status) == status {
		return apperr.InvalidField("status", "未知的状态")
	}
	list, total, err := a.svc.List(c.UserContext(), c.Params("county"), status, page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func (a *API) showRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Get(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) updateRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in RecordInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Update(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) submitRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Submit(c.UserContext(), c.Params("county"), id, ActorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) reviewRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in ReviewInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	web.SetAuditDetail(c, "review "+in.Decision)
	v, err := a.svc.Review(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) publishRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.Publish(c.UserContext(), c.Params("county"), id, ActorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type reasonInput struct {
	Reason string `json:"reason"`
}

func (a *API) withdrawRecord(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in reasonInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.Withdraw(c.UserContext(), c.Params("county"), id, ActorOf(c), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) uploadAttachment(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	// A record of another county is not found, whatever was sent.
	if _, err := a.svc.record(c.UserContext(), a.svc.db, c.Params("county"), id); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return apperr.InvalidField("file", "请以 multipart/form-data 上传字段名为 file 的文件")
	}
	if fh.Size > MaxAttachmentBytes {
		return &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "附件不能超过10MB"}
	}
	data, err := upload.Read(fh, MaxAttachmentBytes)
	if err != nil {
		return err
	}
	att, err := a.svc.AddAttachment(c.UserContext(), c.Params("county"), id, ActorOf(c), fh.Filename, data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(att)
}

func (a *API) downloadAttachment(public bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.PathID(c, "id")
		if err != nil {
			return err
		}
		att, err := web.PathID(c, "att")
		if err != nil {
			return err
		}
		meta, data, err := a.svc.AttachmentData(c.UserContext(), c.Params("county"), id, att, public)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, meta.ContentType)
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": meta.FileName}))
		return c.Send(data)
	}
}

func (a *API) showSettings(c *fiber.Ctx) error {
	st, err := a.svc.Settings(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (a *API) saveSettings(c *fiber.Ctx) error {
	var in Settings
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.svc.SaveSettings(c.UserContext(), c.Params("county"), ActorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (a *API) listRequests(c *fiber.Ctx) error {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	status := c.Query("status")
	if status != "" && !slices.Contains(RequestStatuses, status) {
		return apperr.InvalidField("status", "状态应为 received、correcting 或 answered")
	}
	list, total, err := a.svc.ListRequests(c.UserContext(), c.Params("county"), status, page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func (a *API) showRequest(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.svc.GetRequest(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

// countyName is the county's name, which numbers its written notices.
func (a *API) countyName(ctx context.Context, code string) (string, error) {
	county, err := a.tenants.County(ctx, code)
	return county.Name, err
}

// sendRequest answers with a request, its written notices numbered.
func (a *API) sendRequest(c *fiber.Ctx, r InfoRequest) error {
	name, err := a.countyName(c.UserContext(), r.CountyCode)
	if err != nil {
		return err
	}
	written.Fill(r.Notices, name)
	return c.JSON(r)
}

func (a *API) answerRequest(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in AnswerInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.Answer(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

func (a *API) extendRequest(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in ExtensionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.ExtendRequest(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

func (a *API) askCorrection(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in CorrectionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.AskCorrection(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

// correctedInput is the day the corrected request arrived.
type correctedInput struct {
	ReceivedOn string `json:"received_on"`
}

func (a *API) recordCorrected(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in correctedInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.Corrected(c.UserContext(), c.Params("county"), id, ActorOf(c), in.ReceivedOn)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

// consultationInput is the first or the last day of a consultation.
type consultationInput struct {
	StartedOn string `json:"started_on"`
	EndedOn   string `json:"ended_on"`
}

func (a *API) startConsultation(c *fiber.Ctx) error {
	return a.consultationStep(c, func(ctx context.Context, county string, id int64, by Actor, in consultationInput) (InfoRequest, error) {
		return a.svc.Consult(ctx, county, id, by, in.StartedOn)
	})
}

func (a *API) endConsultation(c *fiber.Ctx) error {
	return a.consultationStep(c, func(ctx context.Context, county string, id int64, by Actor, in consultationInput) (InfoRequest, error) {
		return a.svc.EndConsultation(ctx, county, id, by, in.EndedOn)
	})
}

func (a *API) consultationStep(c *fiber.Ctx, do func(context.Context, string, int64, Actor, consultationInput) (InfoRequest, error)) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	var in consultationInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := do(c.UserContext(), c.Params("county"), id, ActorOf(c), in)
	if err != nil {
		return err
	}
	return a.sendRequest(c, r)
}

func (a *API) listPublished(c *fiber.Ctx) error {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.ListPublished(c.UserContext(), c.Params("county"), c.Query("category"), page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func (a *API) showPublished(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.svc.GetPublished(c.UserContext(), c.Params("county"), id)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (a *API) fileRequest(c *fiber.Ctx) error {
	var in RequestInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.svc.FileRequest(c.UserContext(), c.Params("county"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_no": r.TrackingNo, "deadline": r.Deadline,
		"deadline_provisional": r.DeadlineProvisional, "received_on": r.ReceivedOn})
}

func (a *API) trackRequest(c *fiber.Ctx) error {
	name, err := a.countyName(c.UserContext(), c.Params("county"))
	if err != nil {
		return err
	}
	st, err := a.svc.TrackRequest(c.UserContext(), c.Params("county"), name, c.Params("tracking"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}
