#ifndef NETPOL_EXTEND_CLIBSSH2_SHIM_H
#define NETPOL_EXTEND_CLIBSSH2_SHIM_H
#include <string.h>
#include <libssh2.h>
#include <libssh2_publickey.h>

/* libssh2 exposes several calls only as macros; Swift sees functions. */
static inline LIBSSH2_SESSION *npx_ssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}
static inline LIBSSH2_CHANNEL *npx_ssh2_channel_open_session(LIBSSH2_SESSION *s) {
    return libssh2_channel_open_ex(s, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}
static inline int npx_ssh2_channel_exec(LIBSSH2_CHANNEL *c, const char *cmd, unsigned int len) {
    return libssh2_channel_process_startup(c, "exec", sizeof("exec") - 1, cmd, len);
}
static inline ssize_t npx_ssh2_channel_read(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, 0, buf, len);
}
static inline ssize_t npx_ssh2_channel_read_stderr(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, SSH_EXTENDED_DATA_STDERR, buf, len);
}
static inline ssize_t npx_ssh2_channel_write(LIBSSH2_CHANNEL *c, const char *buf, size_t len) {
    return libssh2_channel_write_ex(c, 0, buf, len);
}
static inline int npx_ssh2_channel_send_eof(LIBSSH2_CHANNEL *c) {
    return libssh2_channel_send_eof(c);
}
static inline int npx_ssh2_session_disconnect(LIBSSH2_SESSION *s, const char *why) {
    return libssh2_session_disconnect_ex(s, SSH_DISCONNECT_BY_APPLICATION, why, "");
}
static inline int npx_ssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *s, const char *user,
                                                       const char *pub, const char *priv,
                                                       const char *pass) {
    return libssh2_userauth_publickey_fromfile_ex(s, user, (unsigned int)strlen(user), pub, priv, pass);
}
/* The agent identity's comment, or NULL; keeps the struct layout out of Swift code. */
static inline const char *npx_ssh2_agent_identity_comment(struct libssh2_agent_publickey *identity) {
    return identity ? identity->comment : NULL;
}
#endif
