package identity

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Message is one message to an end user.
type Message struct {
	TenantID  string
	Channel   string // "email" or "sms"
	Recipient string
	Kind      string // verification, recovery, magic_link, otp, email_change
	Subject   string
	Body      string
	Link      string // the action link, when the message has one
	Code      string // the one-time code, when the message has one
}

// Sender delivers messages to end users. Implementations: OutboxSender (the
// local table `platform mail list` prints) and SMTPSender.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewSender returns the SMTP sender when smtpURL is set, else the outbox.
func NewSender(core *domain.Core, smtpURL string) (Sender, error) {
	outbox := OutboxSender{DB: core.DB, Clock: core.Clock}
	if smtpURL == "" {
		return outbox, nil
	}
	return NewSMTPSender(smtpURL, outbox)
}

// OutboxSender stores messages in auth_messages instead of delivering them:
// the default on a laptop and in tests, where flows are driven end to end
// by reading the outbox.
type OutboxSender struct {
	DB    bun.IDB
	Clock domain.Clock
}

// Send stores m.
func (o OutboxSender) Send(ctx context.Context, m Message) error {
	return o.store(ctx, m, "stored")
}

func (o OutboxSender) store(ctx context.Context, m Message, status string) error {
	return db.AuthMessageInsert(ctx, o.DB, &db.AuthMessage{TenantID: m.TenantID, ID: domain.NewID(domain.PrefixMessage),
		Channel: m.Channel, Recipient: m.Recipient, Kind: m.Kind, Subject: m.Subject, Body: m.Body,
		Link: m.Link, Code: m.Code, Status: status, CreatedAt: o.Clock.Now()})
}

// SMTPSender delivers email over SMTP. SMS has no gateway yet, so SMS
// messages stay in the outbox. A delivered message is logged in the outbox
// without its link or code (they are secrets).
type SMTPSender struct {
	addr, from string
	auth       smtp.Auth
	outbox     OutboxSender
}

// NewSMTPSender parses smtp://user:pass@host:port?from=addr.
func NewSMTPSender(raw string, outbox OutboxSender) (*SMTPSender, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:pass@host:587?from=addr")
	}
	from := u.Query().Get("from")
	if from == "" {
		return nil, fmt.Errorf("SMTP_URL needs ?from=address")
	}
	s := &SMTPSender{addr: u.Host, from: from, outbox: outbox}
	if u.User != nil {
		pass, _ := u.User.Password()
		host, _, _ := net.SplitHostPort(u.Host)
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, host)
	}
	return s, nil
}

// Send delivers m (email) or stores it (sms).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if m.Channel != "email" {
		return s.outbox.Send(ctx, m)
	}
	msg := "From: " + s.from + "\r\nTo: " + m.Recipient + "\r\nSubject: " + strings.ReplaceAll(m.Subject, "\n", " ") +
		"\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.Body
	status := "sent"
	if err := smtp.SendMail(s.addr, s.auth, s.from, []string{m.Recipient}, []byte(msg)); err != nil {
		status = "failed"
	}
	m.Link, m.Code, m.Body = "", "", "(delivered by SMTP)"
	return s.outbox.store(ctx, m, status)
}
