package bottest

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// request is one decoded API call. Parameters arrive as strings whatever the
// encoding; nested objects are JSON text, as tgbotapi sends them.
type request struct {
	ctx    context.Context
	method string
	params map[string]string
	files  map[string]upload // multipart file parts by field name
	chatID int64             // set by handlers once the target chat is known
}

type upload struct {
	name string
	size int64
	data []byte // kept up to maxKept bytes, for tests to read
}

// maxKept bounds the bytes of an upload the server keeps for [Call.Uploads].
const maxKept = 1 << 20

const maxUpload = 50 << 20 // Telegram's limit for multipart uploads

// parseRequest accepts every encoding the Bot API accepts: query string,
// application/x-www-form-urlencoded, multipart/form-data and JSON.
func parseRequest(r *http.Request, method string) (*request, *APIError) {
	req := &request{ctx: r.Context(), method: method, params: map[string]string{}, files: map[string]upload{}}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return nil, badRequest("invalid multipart/form-data request")
		}
		for field, headers := range r.MultipartForm.File {
			if len(headers) > 0 {
				up := upload{name: headers[0].Filename, size: headers[0].Size}
				if f, err := headers[0].Open(); err == nil {
					up.data, _ = io.ReadAll(io.LimitReader(f, maxKept))
					_ = f.Close()
				}
				req.files[field] = up
			}
		}
	case "application/json":
		if err := decodeJSONBody(r.Body, req.params); err != nil {
			return nil, badRequest("can't parse JSON object")
		}
	}
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid form data")
	}
	for k, v := range r.Form {
		if _, set := req.params[k]; !set && len(v) > 0 {
			req.params[k] = v[0]
		}
	}
	return req, nil
}

// decodeJSONBody flattens a JSON body into the same string form the other
// encodings produce: strings unquoted, everything else as JSON text.
func decodeJSONBody(body io.Reader, into map[string]string) error {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&raw); err != nil {
		return err
	}
	for k, v := range raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			into[k] = str
			continue
		}
		into[k] = string(v)
	}
	return nil
}

func (r *request) str(key string) string { return r.params[key] }

func (r *request) has(key string) bool {
	_, ok := r.params[key]
	return ok
}

// int64 parses an integer parameter; absent or malformed reads as 0, which
// every caller treats as "not specified", as Telegram does.
func (r *request) int64(key string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.params[key]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func (r *request) int(key string) int { return int(r.int64(key)) }

func (r *request) bool(key string) bool {
	b, _ := strconv.ParseBool(r.params[key])
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }
