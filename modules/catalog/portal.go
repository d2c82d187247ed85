package catalog

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/tenants"
	"safetypilot/web"
)

// portalPages is the public portal of each pilot county: no login, published
// content only.
type portalPages struct {
	api                                                  *API
	pages                                                *web.Pages
	index, province, county, item, discretion, inventory *template.Template
}

func newPortalPages(api *API, pages *web.Pages) (*portalPages, error) {
	p := &portalPages{api: api, pages: pages}
	for name, dst := range map[string]**template.Template{
		"portal_index": &p.index, "portal_province": &p.province, "portal_county": &p.county,
		"portal_item": &p.item, "portal_discretion": &p.discretion, "portal_inventory": &p.inventory,
	} {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		*dst = t
	}
	return p, nil
}

func (p *portalPages) mount(app *fiber.App) {
	app.Get("/portal", p.showIndex)
	app.Get("/portal/provinces/:province", p.showProvince)
	app.Get("/portal/:county", p.showCounty)
	app.Get("/portal/:county/items/:code", p.showItem)
	app.Get("/portal/:county/discretion", p.showDiscretion)
	app.Get("/portal/:county/inventory", p.showInventory)
}

type provinceGroup struct {
	Province tenants.Province
	Counties []tenants.County
}

// activeGroups lists the provinces that have active pilot counties.
func (p *portalPages) activeGroups(c *fiber.Ctx, only string) ([]provinceGroup, error) {
	ctx := c.UserContext()
	provinces, err := p.api.tenants.Provinces(ctx)
	if err != nil {
		return nil, err
	}
	var out []provinceGroup
	for _, pr := range provinces {
		if only != "" && pr.Code != only {
			continue
		}
		counties, err := p.api.tenants.Counties(ctx, pr.Code)
		if err != nil {
			return nil, err
		}
		g := provinceGroup{Province: pr}
		for _, co := range counties {
			if co.Status == tenants.StatusActive {
				g.Counties = append(g.Counties, co)
			}
		}
		if len(g.Counties) > 0 || only != "" {
			out = append(out, g)
		}
	}
	return out, nil
}

func (p *portalPages) showIndex(c *fiber.Ctx) error {
	groups, err := p.activeGroups(c, "")
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.index, web.View{Title: "试点县政务公开门户", Data: groups})
}

func (p *portalPages) showProvince(c *fiber.Ctx) error {
	code, err := web.ProvinceScope(c)
	if err != nil {
		return err
	}
	if _, err := p.api.tenants.Province(c.UserContext(), code); err != nil {
		return err
	}
	groups, err := p.activeGroups(c, code)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.province, web.View{Title: groups[0].Province.Name + "试点县", Data: groups[0]})
}

// activeCounty returns the county of the path if it is an active pilot.
func (p *portalPages) activeCounty(c *fiber.Ctx) (tenants.County, error) {
	code, err := web.CountyScope(c)
	if err != nil {
		return tenants.County{}, err
	}
	county, err := p.api.tenants.County(c.UserContext(), code)
	if err != nil {
		return county, err
	}
	if county.Status != tenants.StatusActive {
		return county, apperr.ErrNotFound
	}
	return county, nil
}

type countyPortalView struct {
	County      tenants.County
	Information []ItemView
	Powers      []ItemView
	Services    []ItemView
}

func (p *portalPages) showCounty(c *fiber.Ctx) error {
	county, err := p.activeCounty(c)
	if err != nil {
		return err
	}
	items, err := p.api.svc.ListPublished(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	v := countyPortalView{County: county}
	for _, it := range items {
		switch it.Category {
		case CategoryInformation:
			v.Information = append(v.Information, it)
		case CategoryPower:
			v.Powers = append(v.Powers, it)
		default:
			v.Services = append(v.Services, it)
		}
	}
	return p.pages.Render(c, p.county, web.View{Title: county.Name + "政务公开", Data: v})
}

type itemPortalView struct {
	County tenants.County
	Item   ItemView
}

func (p *portalPages) showItem(c *fiber.Ctx) error {
	county, err := p.activeCounty(c)
	if err != nil {
		return err
	}
	it, err := p.api.svc.GetPublished(c.UserContext(), county.Code, c.Params("code"))
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.item, web.View{Title: it.Name, Data: itemPortalView{County: county, Item: it}})
}

type discretionPortalView struct {
	County tenants.County
	Items  []ItemView
}

func (p *portalPages) showDiscretion(c *fiber.Ctx) error {
	county, err := p.activeCounty(c)
	if err != nil {
		return err
	}
	items, err := p.api.svc.ListPublished(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	v := discretionPortalView{County: county}
	for _, it := range items {
		if len(it.Discretion) > 0 {
			v.Items = append(v.Items, it)
		}
	}
	return p.pages.Render(c, p.discretion, web.View{Title: "行政处罚自由裁量基准", Data: v})
}

type inventoryPortalView struct {
	County    tenants.County
	Inventory Inventory
	Items     []ItemView
}

func (p *portalPages) showInventory(c *fiber.Ctx) error {
	county, err := p.activeCounty(c)
	if err != nil {
		return err
	}
	items, err := p.api.svc.ListPublished(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	return p.pages.Render(c, p.inventory, web.View{Title: "行政职权清理情况", Data: inventoryPortalView{
		County: county, Inventory: Summarize(items), Items: items}})
}
