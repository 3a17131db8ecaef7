package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

func userCommands() map[string]command {
	return map[string]command{
		"create": {summary: "create a user with a role in a unit", run: cmdUserCreate},
		"unlock": {summary: "unlock an account locked after failed logins", run: cmdUserUnlock},
	}
}

func cmdUserCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user create", "vanthu user create --login L --name N --unit CODE|id:ID --role ROLE [--title T] [--clearance LEVEL] [--must-change] --password-stdin")
	login := fs.String("login", "", "login name (lower-case letters, digits, . _ -)")
	name := fs.String("name", "", "full name")
	unit := fs.String("unit", "", "administrative code of a current unit (e.g. 79), or id:ID")
	role := fs.String("role", "", "admin, unit_admin, clerk, leader or handler")
	title := fs.String("title", "", "position, e.g. Chánh Văn phòng")
	clearance := fs.String("clearance", "none", "none, mat, toi_mat or tuyet_mat")
	mustChange := fs.Bool("must-change", false, "require a new password at first login")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var missing []string
	for flag, v := range map[string]string{"--login": *login, "--name": *name, "--unit": *unit, "--role": *role} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, flag)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", errUsage, strings.Join(missing, ", "))
	}
	if !*fromStdin {
		return fmt.Errorf("%w: give the password on standard input with --password-stdin (never on the command line)", errUsage)
	}
	if !identity.Role(*role).Valid() {
		return fmt.Errorf("%w: --role must be admin, unit_admin, clerk, leader or handler", errUsage)
	}
	if !identity.Clearance(*clearance).Valid() {
		return fmt.Errorf("%w: --clearance must be none, mat, toi_mat or tuyet_mat", errUsage)
	}
	password, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("%w: no password on standard input", errUsage)
	}
	password = strings.TrimRight(password, "\r\n")

	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	unitID, err := resolveUnit(ctx, pool, *unit)
	if err != nil {
		return err
	}
	users := identity.NewStore(pool)
	var u identity.User
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		u, err = users.Create(ctx, tx, identity.NewUser{Login: *login, FullName: *name, Password: password,
			Clearance: identity.Clearance(*clearance), MustChangePassword: *mustChange})
		if err != nil {
			return err
		}
		return users.AddMembership(ctx, tx, u.ID, unitID, identity.Role(*role), *title)
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(a.stdout, "created user %s (id %d)\n", u.Login, u.ID)
	return nil
}

func cmdUserUnlock(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user unlock", "vanthu user unlock --login L")
	login := fs.String("login", "", "login name")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *login == "" {
		return fmt.Errorf("%w: missing --login", errUsage)
	}
	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	users := identity.NewStore(pool)
	u, err := users.GetByLogin(ctx, *login)
	if err != nil {
		return describe(err)
	}
	if err := users.Unlock(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "unlocked %s\n", u.Login)
	return nil
}

// resolveUnit finds the current unit with an administrative code, or by
// id with "id:ID".
func resolveUnit(ctx context.Context, q postgres.Querier, ref string) (int64, error) {
	if s, ok := strings.CutPrefix(ref, "id:"); ok {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: --unit id:%s is not a number", errUsage, s)
		}
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND valid_to IS NULL)`, id).Scan(&exists); err != nil {
			return 0, err
		}
		if !exists {
			return 0, fmt.Errorf("no current unit has id %d", id)
		}
		return id, nil
	}
	rows, _ := q.Query(ctx, `SELECT id FROM units WHERE code = $1 AND valid_to IS NULL ORDER BY id`, ref)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, fmt.Errorf("no current unit has code %q (run 'vanthu seed units' first?)", ref)
	case 1:
		return ids[0], nil
	}
	return 0, fmt.Errorf("code %q names %d current units; use --unit id:ID", ref, len(ids))
}

// describe makes a user-facing error readable on a terminal.
func describe(err error) error {
	var e *apperr.Error
	if errors.As(err, &e) {
		return errors.New(e.Error())
	}
	return err
}
