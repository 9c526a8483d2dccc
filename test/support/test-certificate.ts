// A self-signed certificate for the name sd.test (not 127.0.0.1), valid 2000-2126, for https tests.
// Made with openssl req (EC P-256 key, CN and subjectAltName DNS:sd.test, basicConstraints CA:TRUE)
// and openssl ca -selfsign -startdate 20000101000000Z -enddate 21260101000000Z.

export const SD_TEST_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBXDCCAQKgAwIBAgICEAAwCgYIKoZIzj0EAwIwEjEQMA4GA1UEAwwHc2QudGVz
dDAgFw0wMDAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFowEjEQMA4GA1UEAwwH
c2QudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABA7eWFfUzBRtee/Ta1/q
Bs/tdIqI7fhY1fHVvAj3J/Tb2kzFTcGODgmxtTjXuFTd0Mt6ij/l8H0xfyqy/Pm/
OpCjRjBEMBIGA1UdEQQLMAmCB3NkLnRlc3QwDwYDVR0TAQH/BAUwAwEB/zAdBgNV
HQ4EFgQUeP4zwitm3cxhYUDIzVtDYdRIgq8wCgYIKoZIzj0EAwIDSAAwRQIgV+dv
CNUuahQVacll/KgCfEiKd1jZVJhuueF9EWgrLsUCIQDM4tc8i0brsUbES4gTwHin
JFadu8NpYYcBdoYgPMpH0A==
-----END CERTIFICATE-----
`;

export const SD_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaenMFJfZ6wyP2rco
0ySDfPqharObthe/9pZTdfAI/uKhRANCAAQO3lhX1MwUbXnv02tf6gbP7XSKiO34
WNXx1bwI9yf029pMxU3Bjg4JsbU417hU3dDLeoo/5fB9MX8qsvz5vzqQ
-----END PRIVATE KEY-----
`;
