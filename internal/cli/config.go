package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// applyEnvAndFile fills every flag the user did not set on the command line,
// first from the environment (LIFELINE_ plus the flag name in upper case
// with dashes as underscores: --max-import-size is LIFELINE_MAX_IMPORT_SIZE),
// then from a JSON config file whose keys are flag names. Flags beat the
// environment, which beats the file, which beats the defaults.
func applyEnvAndFile(fs *pflag.FlagSet, configFile string) error {
	file := map[string]any{}
	if configFile != "" {
		f, err := os.Open(configFile)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		defer f.Close()
		dec := json.NewDecoder(io.LimitReader(f, 1<<20))
		dec.UseNumber()
		if err := dec.Decode(&file); err != nil {
			return fmt.Errorf("config file %s: not a JSON object of settings: %w", configFile, err)
		}
		for k := range file {
			if fs.Lookup(k) == nil {
				return fmt.Errorf("config file %s: unknown setting %q", configFile, k)
			}
		}
	}
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "config" {
			return
		}
		env := "LIFELINE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
			return
		}
		if v, ok := file[f.Name]; ok {
			values := []any{v}
			if list, isList := v.([]any); isList {
				values = list // a repeatable flag, such as "feed": ["a=…", "b=…"]
			}
			for _, x := range values {
				if e := fs.Set(f.Name, fmt.Sprint(x)); e != nil {
					err = fmt.Errorf("config file setting %q: %w", f.Name, e)
					return
				}
			}
		}
	})
	return err
}
