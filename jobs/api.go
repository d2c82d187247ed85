package jobs

import (
	"github.com/gofiber/fiber/v2"

	"safetypilot/rbac"
	"safetypilot/web"
)

// homeScope checks a job permission in the caller's own region: national and
// province administrators may both trigger the cluster-wide jobs.
func homeScope(c *fiber.Ctx) (string, error) { return web.CurrentUser(c).HomeRegion, nil }

// Mount registers the job endpoints.
func (r *Runner) Mount(app *fiber.App, enforcer *rbac.Enforcer) {
	run := web.Require(enforcer, "jobs:run", homeScope)
	app.Get("/api/v1/jobs", run, r.listJobs)
	app.Post("/api/v1/jobs/:name/run", run, r.runJob)
}

func (r *Runner) listJobs(c *fiber.Ctx) error {
	type jobView struct {
		Name     string `json:"name"`
		Schedule string `json:"schedule"`
		Runs     []Run  `json:"recent_runs"`
	}
	out := []jobView{}
	for _, name := range r.Names() {
		runs, err := r.Runs(c.UserContext(), name, 10)
		if err != nil {
			return err
		}
		out = append(out, jobView{Name: name, Schedule: r.jobs[name].Schedule, Runs: runs})
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

func (r *Runner) runJob(c *fiber.Ctx) error {
	run, err := r.RunNow(c.UserContext(), c.Params("name"))
	if err != nil && run.ID == 0 {
		return err
	}
	status := fiber.StatusOK
	if run.Status == StatusFailed {
		status = fiber.StatusInternalServerError
	}
	return c.Status(status).JSON(run)
}
