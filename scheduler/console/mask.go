package console

import (
	"strings"

	"github.com/ferryhq/ferry/connectors/placeholder"
)

// secretWords make a key look secret wherever they appear in it.
var secretWords = []string{"password", "passwd", "secret", "token", "credential", "jaas", "private", "apikey", "api.key"}

// secretKeys look secret as whole names (or as the last part of one).
var secretKeys = []string{"user.info", "access.key", "access.key.id", "keystore.key", "ssl.key"}

// LooksSecret reports whether a config key's value should be hidden: its
// name contains password, secret, token, credential, jaas, private or
// api key, or ends in user.info, access.key(.id) or keystore.key
// (basic.auth.user.info, aws.access.key.id, ssl.keystore.key,
// sasl.jaas.config, connection.password, ...). redis.key or key.converter
// name no secret and stay visible.
func LooksSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, s := range secretKeys {
		if k == s || strings.HasSuffix(k, "."+s) || strings.HasSuffix(k, "_"+s) {
			return true
		}
	}
	return false
}

// Mask returns config with the values of secret-looking keys, and of the
// keys in password (declared PASSWORD), replaced by placeholder.Masked, the
// "[hidden]" the REST API and traces use. A value that is only
// config-provider placeholders stays visible: it names where the secret is,
// not the secret. Empty values stay empty.
func Mask(config map[string]string, password map[string]bool) map[string]string {
	out := make(map[string]string, len(config))
	for k, v := range config {
		hide := (password[k] || LooksSecret(k)) && v != "" && !onlyPlaceholders(v)
		if hide {
			v = placeholder.Masked
		}
		out[k] = v
	}
	return out
}

// onlyPlaceholders reports whether v is nothing but ${provider:path:key} placeholders.
func onlyPlaceholders(v string) bool {
	return strings.TrimSpace(placeholder.Pattern().ReplaceAllString(v, "")) == ""
}
