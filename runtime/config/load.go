package config

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/joho/godotenv"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

// Sources says where Load reads from. The zero value reads nothing but the
// defaults.
type Sources struct {
	File    string         // YAML config file; empty for none
	DotEnv  string         // .env file; read if it exists
	Environ []string       // KEY=value pairs, normally os.Environ()
	Flags   *pflag.FlagSet // parsed flags from FlagSet; nil for none
}

// FlagSet defines the flags of the settings that have one, plus --config.
func FlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.String("config", "", "YAML config file (also "+ConfigFileEnv+")")
	for _, s := range Settings {
		if s.Flag == "" {
			continue
		}
		switch d := s.Default.(type) {
		case int:
			fs.Int(s.Flag, d, s.Help)
		case string:
			fs.String(s.Flag, d, s.Help)
		}
	}
	return fs
}

// Load reads the settings from src, lowest precedence first: defaults, the
// YAML file, .env, the environment, then flags set on the command line.
// Unknown keys in the file and invalid values are errors, all reported.
func Load(src Sources) (*Config, error) {
	k := koanf.New(".")
	defaults := map[string]any{}
	byEnv := map[string]string{}
	byFlag := map[string]string{}
	for _, s := range Settings {
		defaults[s.Key] = s.Default
		byEnv[s.Env] = s.Key
		if s.Flag != "" {
			byFlag[s.Flag] = s.Key
		}
	}
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return nil, fmt.Errorf("config: defaults: %w", err)
	}
	if src.File != "" {
		if err := k.Load(file.Provider(src.File), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("config: read %s: %w", src.File, err)
		}
	}
	known := func(key, value string) (string, any) {
		if kk, ok := byEnv[key]; ok {
			return kk, value
		}
		return "", nil
	}
	if src.DotEnv != "" {
		vars, err := godotenv.Read(src.DotEnv)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("config: read %s: %w", src.DotEnv, err)
		default:
			m := map[string]any{}
			for name, value := range vars {
				if key, ok := byEnv[name]; ok {
					m[key] = value
				}
			}
			if err := k.Load(confmap.Provider(m, "."), nil); err != nil {
				return nil, fmt.Errorf("config: %s: %w", src.DotEnv, err)
			}
		}
	}
	environ := func() []string { return src.Environ }
	if err := k.Load(env.Provider(".", env.Opt{EnvironFunc: environ, TransformFunc: known}), nil); err != nil {
		return nil, fmt.Errorf("config: environment: %w", err)
	}
	if src.Flags != nil {
		p := posflag.ProviderWithFlag(src.Flags, ".", k, func(f *pflag.Flag) (string, any) {
			key, ok := byFlag[f.Name]
			if !ok || !f.Changed {
				return "", nil
			}
			return key, posflag.FlagVal(src.Flags, f)
		})
		if err := k.Load(p, nil); err != nil {
			return nil, fmt.Errorf("config: flags: %w", err)
		}
	}
	var c Config
	err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{DecoderConfig: &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
		ErrorUnused:      true,
		WeaklyTypedInput: true, // environment values are strings
		Result:           &c,
		TagName:          "koanf",
	}})
	if err != nil {
		return nil, fmt.Errorf("config: %s", cleanDecodeError(err))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// cleanDecodeError turns mapstructure's aggregated error into one line per
// problem.
func cleanDecodeError(err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "decoding failed due to the following error(s):\n\n", "")
	return strings.TrimSpace(msg)
}
