package main

import (
	"context"
	"fmt"
	iofs "io/fs"
	"os"
	"text/tabwriter"
	"time"

	"vanthu/internal/calendar"
	"vanthu/internal/demo"
	"vanthu/internal/org"
)

// cmdSeed handles `seed --demo` and `seed units`.
func cmdSeed(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 && args[0] == "units" {
		return cmdSeedUnits(ctx, a, args[1:])
	}
	if len(args) > 0 && args[0] == "calendar" {
		return cmdSeedCalendar(ctx, a, args[1:])
	}
	fs := a.flags("seed", "vanthu seed --demo | vanthu seed units [--dir DIR] | vanthu seed calendar")
	demoFlag := fs.Bool("demo", false, "add the demo office, departments and accounts (imports units first)")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if !*demoFlag {
		fs.Usage()
		return fmt.Errorf("%w: say what to seed: --demo or units", errUsage)
	}
	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	res, err := demo.Seed(ctx, pool)
	if err != nil {
		return err
	}
	if _, err := demo.SeedDocuments(ctx, pool, time.Now()); err != nil {
		return err
	}
	if _, err := demo.SeedTasks(ctx, pool); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Demo accounts (password for all: %s):\n", demo.Password)
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	for _, l := range res.Logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Login, l.Role, l.Title, l.Unit)
	}
	tw.Flush()
	fmt.Fprintln(a.stdout, "The administrators (admin, quantri.tinh) set up two-factor authentication at their first login.")
	return nil
}

func cmdSeedUnits(ctx context.Context, a *app, args []string) error {
	fs := a.flags("seed units", "vanthu seed units [--dir DIR]")
	dir := fs.String("dir", "", "read the unit CSV files from DIR instead of the copy built into the binary")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var data iofs.FS = org.UnitData
	if *dir != "" {
		if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%w: --dir %s is not a folder", errUsage, *dir)
		}
		data = os.DirFS(*dir)
	}
	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	rep, err := org.ImportUnits(ctx, pool, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "units: %d current provinces, %d current communes, %d former provinces, %d central bodies; %d created, %d events recorded\n",
		rep.CurrentProvinces, rep.CurrentCommunes, rep.FormerProvinces, rep.CentralBodies, rep.Created, rep.Events)
	return nil
}

func cmdSeedCalendar(ctx context.Context, a *app, args []string) error {
	fs := a.flags("seed calendar", "vanthu seed calendar")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	n, err := calendar.Seed(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "calendar: %d official holidays and make-up working days added (2025–2027); days already set are kept\n", n)
	return nil
}
