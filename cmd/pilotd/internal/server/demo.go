package server

import (
	"context"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/users"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

// demoPassword is the shared password of the demo accounts; demo mode is for
// trying the product, never for production data.
const demoPassword = "Demo@2026pilot"

var demoCounties = []string{"340102", "340103", "340104"}

// addDemo adds (once) the province of Anhui as a demo with three pilot counties,
// a province administrator and, per county, an administrator, a clerk and a
// reviewer, then prints how to sign in.
func (s *Service) addDemo(ctx context.Context, out io.Writer) error {
	store := s.Users.Store()
	admin, err := store.ByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	by := tenants.Actor{ID: admin.ID, Username: admin.Username}
	hash, err := s.Users.Hashing.Hash(demoPassword)
	if err != nil {
		return err
	}
	// addUser creates a demo account with the demo password, or keeps it if present.
	addUser := func(username, name, region, role string) error {
		if _, err := store.ByUsername(ctx, username); err == nil {
			return nil
		}
		return s.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			u := users.User{Username: username, DisplayName: name, HomeRegion: region, PasswordHash: hash}
			if err := store.Insert(ctx, tx, &u); err != nil {
				return err
			}
			return rbac.Grant(ctx, tx, u.ID, role, region, admin.ID)
		})
	}
	if err := addUser("demo_province", "安徽省应急管理厅（演示）", "34", rbac.ProvinceAdmin); err != nil {
		return err
	}
	for _, code := range demoCounties {
		_, err := s.tenants.Recommend(ctx, by, "34", tenants.Recommendation{Code: code,
			EgovReadiness: "已接入省级统一电子政务平台（演示数据）", Recommendation: "政务公开和政务服务基础较好（演示数据）"})
		if e, ok := apperr.As(err); err != nil && !(ok && e.Code == "duplicate") {
			return err
		}
		county, err := s.tenants.County(ctx, code)
		if err != nil {
			return err
		}
		if county.Status == tenants.StatusRecommended {
			if _, _, err := s.tenants.Approve(ctx, by, "34", code); err != nil {
				return err
			}
			u, err := store.ByUsername(ctx, "admin_"+code)
			if err != nil {
				return err
			}
			if err := store.SetPassword(ctx, u.ID, hash, false); err != nil {
				return err
			}
		}
		if err := addUser("clerk_"+code, county.Name+"经办人（演示）", code, rbac.CountyClerk); err != nil {
			return err
		}
		if err := addUser("reviewer_"+code, county.Name+"审核人（演示）", code, rbac.CountyReviewer); err != nil {
			return err
		}
		if err := addUser("leader_"+code, county.Name+"分管局领导（演示）", code, rbac.CountyLeader); err != nil {
			return err
		}
	}
	if err := s.enforcer.ReloadIfChanged(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "演示数据已就绪（安徽省，3个试点县）。以下演示账号的密码均为：%s\n", demoPassword)
	fmt.Fprintln(out, "  国家级系统管理员：admin（密码不是演示密码：为首次启动时打印的初始密码或 PILOT_BOOTSTRAP_ADMIN_PASSWORD；遗失可用 pilotd reset-admin-password 重置）")
	fmt.Fprintln(out, "  省级管理员：demo_province")
	for _, code := range demoCounties {
		fmt.Fprintf(out, "  %s：admin_%s（县级管理员） clerk_%s（经办人） reviewer_%s（审核人） leader_%s（负责人，批准延期）\n", code, code, code, code, code)
	}
	return nil
}
