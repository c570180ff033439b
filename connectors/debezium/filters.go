package debezium

import (
	"regexp"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Filter is one include/exclude pair of filter keys (table.include.list and
// table.exclude.list, …) and their lists of regular expressions.
type Filter struct {
	IncludeKey, ExcludeKey string
	Include, Exclude       []string
	Exclusive              bool // setting both lists is refused
}

// CheckFilters returns an error for each pattern that does not compile and
// for each exclusive pair that sets both lists.
func CheckFilters(filters ...Filter) connectors.ConfigErrors {
	var errs connectors.ConfigErrors
	for _, f := range filters {
		for key, list := range map[string][]string{f.IncludeKey: f.Include, f.ExcludeKey: f.Exclude} {
			for _, p := range list {
				if _, err := regexp.Compile(p); err != nil {
					errs = append(errs, &connectors.ConfigError{Key: key, Value: p, Reason: err.Error()})
				}
			}
		}
		if f.Exclusive && len(f.Include) > 0 && len(f.Exclude) > 0 {
			errs = append(errs, &connectors.ConfigError{Key: f.ExcludeKey, Value: strings.Join(f.Exclude, ","),
				Reason: f.IncludeKey + " and " + f.ExcludeKey + " are exclusive: set only one"})
		}
	}
	return errs
}
