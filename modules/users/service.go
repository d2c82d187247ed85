package users

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// Hashing is how passwords are hashed: argon2id with its parameters, and the
// hash that unknown usernames are compared against so both take as long.
// Every stored hash carries its own parameters, so a hash made with other
// parameters (an older release's, or a test's) still verifies.
type Hashing struct {
	params *argon2id.Params
	dummy  string
}

// NewHashing makes a Hashing with argon2id parameters. The service uses
// DefaultHashing; tests that sign in hundreds of times choose cheaper ones
// explicitly (server.Config.PasswordHashing), never by default.
func NewHashing(params argon2id.Params) (*Hashing, error) {
	dummy, err := argon2id.CreateHash("timing-equaliser", &params)
	if err != nil {
		return nil, fmt.Errorf("users: hashing: %w", err)
	}
	return &Hashing{params: &params, dummy: dummy}, nil
}

// DefaultHashing follows OWASP's argon2id minimum (19 MiB, 2 passes), which
// keeps a sign-in near 20 ms and memory bounded when many people sign in at
// once.
var DefaultHashing = func() *Hashing {
	h, err := NewHashing(argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		panic(err)
	}
	return h
}()

// argonSlots bounds the argon2id computations running at once: each takes
// 19 MiB and a core for ~20 ms, so a burst of sign-ins queues for a moment
// instead of growing the process by 19 MiB per request.
var argonSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// Hash returns the argon2id encoding of pw.
func (h *Hashing) Hash(pw string) (string, error) {
	hash, err := inArgonSlot(func() (string, error) { return argon2id.CreateHash(pw, h.params) })
	if err != nil {
		return "", fmt.Errorf("users: hash: %w", err)
	}
	return hash, nil
}

// matches compares pw with an argon2id encoding, in an argon slot.
func (h *Hashing) matches(pw, hash string) (bool, error) {
	return inArgonSlot(func() (bool, error) { return argon2id.ComparePasswordAndHash(pw, hash) })
}

// inArgonSlot runs one argon2id computation in a slot, and has the memory of
// a burst of them given back when it is over.
func inArgonSlot[T any](compute func() (T, error)) (T, error) {
	argonSlots <- struct{}{}
	defer func() {
		<-argonSlots
		argonBurst.touch()
	}()
	return compute()
}

// argonBurst gives a burst of argon2id computations' memory back to the
// operating system once none has run for argonQuiet. An idle service
// collects no garbage, so without it the buffers of a morning's sign-ins
// (19 MiB each) would stay resident for minutes after the last one.
var argonBurst = &afterBurst{quiet: argonQuiet, release: debug.FreeOSMemory}

const argonQuiet = 2 * time.Second

// afterBurst calls release once touch has not been called for quiet.
type afterBurst struct {
	quiet   time.Duration
	release func()
	mu      sync.Mutex
	timer   *time.Timer
}

func (b *afterBurst) touch() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer == nil {
		b.timer = time.AfterFunc(b.quiet, b.release)
		return
	}
	b.timer.Reset(b.quiet)
}

// Service holds the sign-in rules.
type Service struct {
	db       *db.DB
	store    *Store
	enforcer *rbac.Enforcer
	log      *slog.Logger
	// RequireAdminTOTP makes every administrator role (system, security and
	// audit duties) sign in with a second factor; set it before serving.
	RequireAdminTOTP bool
	// Hashing hashes and checks passwords (DefaultHashing unless set before
	// serving).
	Hashing *Hashing
	// Secrets encrypts the stored TOTP secrets; set it before serving.
	// Without it every second-factor operation fails (closed).
	Secrets *SecretBox
}

// NewService wires the account rules.
func NewService(database *db.DB, enforcer *rbac.Enforcer, log *slog.Logger) *Service {
	return &Service{db: database, store: NewStore(database), enforcer: enforcer, log: log, Hashing: DefaultHashing}
}

// Store exposes the SQL layer for jobs such as session expiry.
func (s *Service) Store() *Store { return s.store }

// SignIn is the outcome of a successful sign-in.
type SignIn struct {
	Token     string
	CSRFToken string
	ExpiresAt time.Time
	User      User
	// MustEnrollTOTP is set when the user must use two factors but has not
	// enrolled yet: the session may only enrol until then.
	MustEnrollTOTP bool
}

var (
	errBadCredentials = apperr.Unauthorized("invalid_credentials", "用户名或密码错误")
	errTOTPRequired   = apperr.Unauthorized("totp_required", "该账号已启用双因素认证，请输入动态验证码")
	errBadTOTP        = apperr.Unauthorized("invalid_totp", "动态验证码错误")
)

// Login checks a password for an account without a second factor; see LoginWithCode.
func (s *Service) Login(ctx context.Context, username, password string) (SignIn, error) {
	return s.LoginWithCode(ctx, username, password, "")
}

// errLocked answers a sign-in under a locked name, an account's or not.
func errLocked(until time.Time) error {
	return apperr.TooMany("account_locked",
		fmt.Sprintf("连续%d次密码错误，账号已锁定，请于%s后重试", MaxFailures, until.In(beijing).Format("15:04")))
}

// failUnknown answers a sign-in under a name no account has exactly as one
// under an account with a wrong password: as long (a hash is compared), 401
// until the fifth failure in a row, then 429 for LockDuration. So neither
// the answers nor their timing tell which names are accounts.
func (s *Service) failUnknown(ctx context.Context, name, password string) error {
	if r := []rune(name); len(r) > maxUsernameRunes {
		name = string(r[:maxUsernameRunes]) // no account has a longer name
	}
	until, err := s.store.UnknownLockedUntil(ctx, name)
	if err != nil {
		return err
	}
	now := db.Now()
	if until != nil && until.After(now) {
		return errLocked(*until)
	}
	_, _ = s.Hashing.matches(password, s.Hashing.dummy)
	if err := s.store.RecordUnknownFailure(ctx, name, now, now.Add(LockDuration)); err != nil {
		return err
	}
	return errBadCredentials
}

// LoginWithCode checks a password and, for an account with a second factor,
// the TOTP (or recovery) code, then opens a new session (a new id every time,
// so a session id planted before sign-in is worthless). A wrong code counts as
// a failed sign-in towards the lockout; a missing one is refused without
// counting, so the answer tells no more than the password check did.
func (s *Service) LoginWithCode(ctx context.Context, username, password, code string) (SignIn, error) {
	name := strings.ToLower(strings.TrimSpace(username))
	u, err := s.store.ByUsername(ctx, name)
	if err == apperr.ErrNotFound {
		return SignIn{}, s.failUnknown(ctx, name, password)
	}
	if err != nil {
		return SignIn{}, err
	}
	// The attempt joins the audit chain of the account's region.
	web.SetAuditChain(ctx, u.HomeRegion)
	now := db.Now()
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		return SignIn{}, errLocked(*u.LockedUntil)
	}
	ok, err := s.Hashing.matches(password, u.PasswordHash)
	if err != nil {
		return SignIn{}, fmt.Errorf("users: compare: %w", err)
	}
	if !ok || u.Disabled {
		if err := s.store.RecordFailure(ctx, u.ID, now.Add(LockDuration)); err != nil {
			return SignIn{}, err
		}
		return SignIn{}, errBadCredentials
	}
	second, hasSecond, err := s.store.totp(ctx, u.ID)
	if err != nil {
		return SignIn{}, err
	}
	if hasSecond && second.ConfirmedAt != nil {
		if strings.TrimSpace(code) == "" {
			return SignIn{}, errTOTPRequired
		}
		ok, err := s.checkSecondFactor(ctx, u.ID, second, code)
		if err != nil {
			return SignIn{}, err
		}
		if !ok {
			if err := s.store.RecordFailure(ctx, u.ID, now.Add(LockDuration)); err != nil {
				return SignIn{}, err
			}
			return SignIn{}, errBadTOTP
		}
	}
	roles, err := rbac.Assignments(ctx, s.db, u.ID)
	if err != nil {
		return SignIn{}, err
	}
	mustEnroll, err := s.mustEnroll(ctx, u.ID, roles)
	if err != nil {
		return SignIn{}, err
	}
	token, csrf := randomToken(), randomToken()
	if err := s.store.OpenSession(ctx, token, csrf, u.ID, now); err != nil {
		return SignIn{}, err
	}
	return SignIn{Token: token, CSRFToken: csrf, ExpiresAt: now.Add(IdleTimeout), User: u, MustEnrollTOTP: mustEnroll}, nil
}

var beijing = time.FixedZone("CST", 8*3600)

// Resolve implements web.Sessions: a live session moves its idle clock (at most
// once a minute, to spare the database) and yields the user with their roles.
func (s *Service) Resolve(ctx context.Context, token string) (*web.Principal, error) {
	if len(token) != 43 {
		return nil, nil
	}
	se, u, roles, ok, err := s.store.Session(ctx, token)
	if err != nil || !ok {
		return nil, err
	}
	now := db.Now()
	if now.After(se.ExpiresAt) || now.Sub(se.LastSeenAt) > IdleTimeout {
		return nil, s.store.DeleteSession(ctx, token)
	}
	if u.Disabled {
		return nil, nil
	}
	if now.Sub(se.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, token, now); err != nil {
			return nil, err
		}
	}
	return &web.Principal{
		UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, HomeRegion: u.HomeRegion,
		MustChangePassword: u.MustChangePassword, MustEnrollTOTP: s.requiresTOTP(roles) && !se.TOTPEnrolled,
		Roles: roles, CSRFToken: se.CSRFToken,
	}, nil
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, token)
}

// ChangePassword replaces the password after checking the current one, and
// ends the user's other sessions.
func (s *Service) ChangePassword(ctx context.Context, userID int64, currentToken, current, next string) error {
	u, err := s.store.ByID(ctx, s.db, userID)
	if err != nil {
		return err
	}
	ok, err := s.Hashing.matches(current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("users: compare: %w", err)
	}
	if !ok {
		return apperr.InvalidField("current_password", "当前密码不正确")
	}
	if err := CheckPasswordPolicy(next); err != nil {
		return err
	}
	if next == current {
		return apperr.InvalidField("new_password", "新密码不能与当前密码相同")
	}
	if strings.Contains(strings.ToLower(next), strings.ToLower(u.Username)) {
		return apperr.InvalidField("new_password", "密码不能包含用户名")
	}
	hash, err := s.Hashing.Hash(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, userID, hash, false); err != nil {
		return err
	}
	return s.store.DeleteOtherSessions(ctx, userID, currentToken)
}

// NewUser is a request to create a staff account.
type NewUser struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
}

// Created is a new account with its one-time password.
type Created struct {
	ID              int64  `json:"id"`
	Username        string `json:"username"`
	InitialPassword string `json:"initial_password"`
}

// Create makes a staff account homed in region with the given roles, each of
// which the creator must be allowed to grant there. The password is one-time.
func (s *Service) Create(ctx context.Context, by *web.Principal, region string, in NewUser) (Created, error) {
	if err := s.requireTenant(ctx, region); err != nil {
		return Created{}, err
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if err := ValidateUsername(in.Username); err != nil {
		return Created{}, err
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 {
		return Created{}, apperr.InvalidField("display_name", "姓名不能超过64个字")
	}
	if len(in.Roles) == 0 {
		return Created{}, apperr.InvalidField("roles", "请至少选择一个角色")
	}
	for _, role := range in.Roles {
		if err := mayGrant(by, role, region); err != nil {
			return Created{}, err
		}
	}
	var out Created
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.createInTx(ctx, tx, by.UserID, region, in)
		return err
	})
	if err != nil {
		return Created{}, err
	}
	return out, s.enforcer.ReloadIfChanged(ctx)
}

func (s *Service) createInTx(ctx context.Context, tx *sqlx.Tx, byID int64, region string, in NewUser) (Created, error) {
	pw := GeneratePassword()
	hash, err := s.Hashing.Hash(pw)
	if err != nil {
		return Created{}, err
	}
	u := User{Username: in.Username, DisplayName: in.DisplayName, HomeRegion: region, PasswordHash: hash, MustChangePassword: true}
	if err := s.store.Insert(ctx, tx, &u); err != nil {
		return Created{}, err
	}
	for _, role := range in.Roles {
		if err := rbac.Grant(ctx, tx, u.ID, role, region, byID); err != nil {
			return Created{}, err
		}
	}
	return Created{ID: u.ID, Username: u.Username, InitialPassword: pw}, nil
}

// requireTenant accepts only regions accounts may live in: the country, a
// province, or an active pilot county; anything else is not found.
func (s *Service) requireTenant(ctx context.Context, region string) error {
	lvl, ok := rbac.RegionLevel(region)
	if !ok {
		return apperr.ErrNotFound
	}
	var n int
	var err error
	switch lvl {
	case rbac.LevelNational:
		return nil
	case rbac.LevelProvince:
		err = s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM provinces WHERE code = ?`, region)
	default:
		err = s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM counties WHERE code = ? AND status = ?`, region, tenants.StatusActive)
	}
	if err != nil {
		return fmt.Errorf("users: region %s: %w", region, err)
	}
	if n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// mayGrant checks that one of the granter's roles covering region may give role.
func mayGrant(by *web.Principal, role, region string) error {
	if _, ok := rbac.Role(role); !ok {
		return apperr.InvalidField("roles", "未知角色："+role)
	}
	for _, held := range by.RolesCovering(region) {
		if rbac.CanGrant(held, role) {
			return nil
		}
	}
	return apperr.Forbidden("forbidden", fmt.Sprintf("您无权在该区域授予“%s”角色", rbac.RoleTitle(role)))
}

// Grant gives an existing account of region another role there.
func (s *Service) Grant(ctx context.Context, by *web.Principal, region string, userID int64, role string) error {
	if err := mayGrant(by, role, region); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u, err := s.store.ByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.HomeRegion != region {
			return apperr.ErrNotFound
		}
		return rbac.Grant(ctx, tx, userID, role, region, by.UserID)
	})
	if err != nil {
		return err
	}
	return s.enforcer.ReloadIfChanged(ctx)
}

// Revoke takes a role away from an account of region.
func (s *Service) Revoke(ctx context.Context, by *web.Principal, region string, userID int64, role string) error {
	if err := mayGrant(by, role, region); err != nil {
		return err
	}
	if userID == by.UserID {
		return apperr.Forbidden("self_revoke", "不能修改自己的角色")
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u, err := s.store.ByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.HomeRegion != region {
			return apperr.ErrNotFound
		}
		return rbac.Revoke(ctx, tx, userID, role, region)
	})
	if err != nil {
		return err
	}
	return s.enforcer.ReloadIfChanged(ctx)
}

// List returns the accounts homed in region with their roles.
func (s *Service) List(ctx context.Context, region string) ([]UserView, error) {
	list, err := s.store.InRegion(ctx, region)
	if err != nil {
		return nil, err
	}
	out := make([]UserView, 0, len(list))
	for _, u := range list {
		roles, err := rbac.Assignments(ctx, s.db, u.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, UserView{User: u, Roles: roles})
	}
	return out, nil
}

// Get returns one account of region, or not found when it lives elsewhere.
func (s *Service) Get(ctx context.Context, region string, id int64) (UserView, error) {
	u, err := s.store.ByID(ctx, s.db, id)
	if err != nil {
		return UserView{}, err
	}
	if u.HomeRegion != region {
		return UserView{}, apperr.ErrNotFound
	}
	roles, err := rbac.Assignments(ctx, s.db, u.ID)
	if err != nil {
		return UserView{}, err
	}
	return UserView{User: u, Roles: roles}, nil
}

// Bootstrap creates the national administrator "admin" on an empty database.
// The password comes from the environment, or is generated and must be
// changed at first sign-in; a generated one is returned (empty otherwise) for
// the caller to print once on standard output, never into the log.
func (s *Service) Bootstrap(ctx context.Context, password string) (string, error) {
	n, err := s.store.Count(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	generated := password == ""
	if generated {
		password = GeneratePassword()
	} else if err := CheckPasswordPolicy(password); err != nil {
		return "", fmt.Errorf("PILOT_BOOTSTRAP_ADMIN_PASSWORD breaks the password policy: %w", err)
	}
	hash, err := s.Hashing.Hash(password)
	if err != nil {
		return "", err
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u := User{Username: "admin", DisplayName: "国家级系统管理员", HomeRegion: rbac.NationalRegion,
			PasswordHash: hash, MustChangePassword: generated}
		if err := s.store.Insert(ctx, tx, &u); err != nil {
			return err
		}
		return rbac.Grant(ctx, tx, u.ID, rbac.NationalAdmin, rbac.NationalRegion, 0)
	})
	if e, ok := apperr.As(err); ok && e.Code == "duplicate" {
		return "", nil // another replica bootstrapped at the same moment
	}
	if err != nil {
		return "", err
	}
	s.log.Info("bootstrap administrator created", "username", "admin", "generated_password", generated)
	if !generated {
		password = ""
	}
	return password, s.enforcer.ReloadIfChanged(ctx)
}

// CountyAdminProvisioner creates the first administrator of a newly approved
// county, with a one-time password returned in the approval's response.
func (s *Service) CountyAdminProvisioner() tenants.Provisioner {
	return func(ctx context.Context, tx *sqlx.Tx, c tenants.County, by tenants.Actor) (map[string]any, error) {
		created, err := s.createInTx(ctx, tx, by.ID, c.Code, NewUser{
			Username: "admin_" + c.Code, DisplayName: c.Name + "管理员", Roles: []string{rbac.CountyAdmin},
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"admin": map[string]string{
			"username": created.Username, "initial_password": created.InitialPassword,
		}}, nil
	}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
