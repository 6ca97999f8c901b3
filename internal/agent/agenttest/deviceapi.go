package agenttest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/deviceapi"
)

// DeviceAPI is a hand-written fake of the server's device API
// (package deviceapi's contract): enrolment with a token, and check-ins
// whose signatures it verifies with deviceapi.ParseAuthorization and
// Verify, refusing replays. It offers one release (SetOffer) to every
// device not running it, unless that device reported the release failed.
type DeviceAPI struct {
	URL        string // base URL, http://127.0.0.1:port
	Token      string // the enrolment token it accepts
	Repository string // what enrolment answers as the repository

	mu        sync.Mutex
	pollAfter int
	offer     *deviceapi.Offer
	fail      int // answer the next fail check-ins with 503
	devices   map[string]*FakeDevice
	bySerial  map[string]string
	checkIns  int
	refused   []error
	lastRaw   rawRequest
}

// FakeDevice is what the fake knows about an enrolled device.
type FakeDevice struct {
	ID, Serial, HardwareRevision string
	Key                          ed25519.PublicKey
	LastTimestamp                int64
	Reports                      []deviceapi.CheckInRequest // the last 100
}

type rawRequest struct {
	auth string
	body []byte
}

// NewDeviceAPI starts a fake device API on 127.0.0.1 that tells devices
// their repository is repository (a path or URL).
func NewDeviceAPI(t testing.TB, repository string) *DeviceAPI {
	t.Helper()
	d := &DeviceAPI{Token: "enrol-token-1", Repository: repository, pollAfter: 1,
		devices: map[string]*FakeDevice{}, bySerial: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+deviceapi.EnrolPath, d.enrol)
	mux.HandleFunc("POST "+deviceapi.CheckInPath, d.checkIn)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	d.URL = srv.URL
	return d
}

// SetOffer makes o the release offered from now on (nil: none).
func (d *DeviceAPI) SetOffer(o *deviceapi.Offer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.offer = o
}

// SetPollAfter sets the poll_after_seconds the fake answers.
func (d *DeviceAPI) SetPollAfter(seconds int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pollAfter = seconds
}

// FailNext makes the next n check-ins fail with 503.
func (d *DeviceAPI) FailNext(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail = n
}

// CheckIns is how many check-ins were accepted.
func (d *DeviceAPI) CheckIns() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.checkIns
}

// Refused lists why signed requests were refused.
func (d *DeviceAPI) Refused() []error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]error(nil), d.refused...)
}

// Devices returns copies of the enrolled devices.
func (d *DeviceAPI) Devices() []FakeDevice {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []FakeDevice
	for _, dev := range d.devices {
		c := *dev
		c.Reports = append([]deviceapi.CheckInRequest(nil), dev.Reports...)
		out = append(out, c)
	}
	return out
}

// Reports returns the check-ins of one device.
func (d *DeviceAPI) Reports(deviceID string) []deviceapi.CheckInRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	if dev := d.devices[deviceID]; dev != nil {
		return append([]deviceapi.CheckInRequest(nil), dev.Reports...)
	}
	return nil
}

// Replay sends the last accepted check-in again, byte for byte, and returns
// the status code.
func (d *DeviceAPI) Replay() (int, error) {
	d.mu.Lock()
	raw := d.lastRaw
	d.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, d.URL+deviceapi.CheckInPath, bytes.NewReader(raw.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", raw.auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (d *DeviceAPI) enrol(w http.ResponseWriter, r *http.Request) {
	var req deviceapi.EnrolRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, deviceapi.MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	if req.Token != d.Token {
		writeError(w, http.StatusUnauthorized, "unauthorized", "unknown enrolment token")
		return
	}
	pub, err := deviceapi.ParsePublicKey(req.PublicKey)
	if err != nil || req.Serial == "" {
		writeError(w, http.StatusBadRequest, "invalid", "a serial and a public key are required")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.bySerial[req.Serial]
	switch {
	case ok && !d.devices[id].Key.Equal(pub):
		writeError(w, http.StatusConflict, "conflict", "serial "+req.Serial+" is enrolled with another key")
		return
	case !ok:
		id = "dev-" + strconv.Itoa(len(d.devices)+1)
		d.devices[id] = &FakeDevice{ID: id, Serial: req.Serial, HardwareRevision: req.HardwareRevision, Key: pub}
		d.bySerial[req.Serial] = id
	}
	writeJSON(w, deviceapi.EnrolResponse{DeviceID: id, Repository: d.Repository, PollAfter: d.pollAfter})
}

func (d *DeviceAPI) checkIn(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, deviceapi.MaxBody+1))
	if err != nil || len(body) > deviceapi.MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
		return
	}
	s, err := deviceapi.ParseAuthorization(r.Header.Get("Authorization"))
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && d.devices[s.DeviceID] == nil {
		err = errors.New("unknown device " + s.DeviceID)
	}
	if err == nil {
		dev := d.devices[s.DeviceID]
		err = deviceapi.Verify(s, dev.Key, r.Method, r.URL.Path, body, time.Now(), dev.LastTimestamp)
	}
	if err != nil {
		d.refused = append(d.refused, err)
		writeError(w, http.StatusUnauthorized, "unauthorized", err.Error())
		return
	}
	dev := d.devices[s.DeviceID]
	dev.LastTimestamp = s.Timestamp
	if d.fail > 0 {
		d.fail--
		writeError(w, http.StatusServiceUnavailable, "unavailable", "try again later")
		return
	}
	var req deviceapi.CheckInRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	d.checkIns++
	d.lastRaw = rawRequest{auth: r.Header.Get("Authorization"), body: body}
	dev.Reports = append(dev.Reports, req)
	if len(dev.Reports) > 100 {
		dev.Reports = dev.Reports[1:]
	}
	resp := deviceapi.CheckInResponse{PollAfter: d.pollAfter, ServerTime: time.Now().UTC()}
	if o := d.offer; o != nil && req.InstalledVersion != o.Version && (req.State != deviceapi.StateFailed || req.Target != o.Target) {
		c := *o
		resp.Offer = &c
	}
	writeJSON(w, resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	e.Error.Code, e.Error.Message = code, msg
	_ = json.NewEncoder(w).Encode(e)
}
