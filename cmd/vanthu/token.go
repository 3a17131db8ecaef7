package main

import (
	"context"
	"fmt"

	"vanthu/internal/identity"
)

func tokenCommands() map[string]command {
	return map[string]command{
		"create": {summary: "create an API token; prints it alone on the last line", run: cmdTokenCreate},
	}
}

func cmdTokenCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("token create", "vanthu token create --login L [--name N]")
	login := fs.String("login", "", "login of the token's owner")
	name := fs.String("name", "", "what the token is for")
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
	token, t, err := users.CreateToken(ctx, u.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "API token %d for %s (shown once; send as 'Authorization: Bearer <token>'):\n%s\n", t.ID, u.Login, token)
	return nil
}
