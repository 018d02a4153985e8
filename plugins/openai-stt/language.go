package main

import "strings"

// whisperLanguages maps the language names Whisper's verbose_json reports
// to ISO 639-1 codes.
var whisperLanguages = map[string]string{
	"korean": "ko", "english": "en", "japanese": "ja", "chinese": "zh", "spanish": "es",
	"french": "fr", "german": "de", "italian": "it", "portuguese": "pt", "russian": "ru",
	"vietnamese": "vi", "thai": "th", "indonesian": "id", "hindi": "hi", "arabic": "ar",
}

// languageCode turns what a server reports ("korean", "ko", "Korean") into
// a code; "" when it reports nothing. An unknown name is kept, lower-cased.
func languageCode(reported string) string {
	l := strings.ToLower(strings.TrimSpace(reported))
	if code, ok := whisperLanguages[l]; ok {
		return code
	}
	return l
}
