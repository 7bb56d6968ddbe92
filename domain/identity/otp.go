package identity

import "context"

// OTPSendInput is the body of POST /v1/auth/otp/send.
type OTPSendInput struct {
	Phone string `json:"phone"`
}

// OTPVerifyInput is the body of POST /v1/auth/otp/verify.
type OTPVerifyInput struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// SendOTP texts a one-time code to an E.164 phone number.
func (s *Service) SendOTP(ctx context.Context, in OTPSendInput) (Notice, error) {
	return Notice{}, errNotYet
}

// VerifyOTP exchanges a phone and code for a session.
func (s *Service) VerifyOTP(ctx context.Context, in OTPVerifyInput) (*SignIn, error) {
	return nil, errNotYet
}
