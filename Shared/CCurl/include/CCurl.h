#ifndef CCURL_H
#define CCURL_H

// The C face of libcurl for AgentryHTTP: the library header plus typed shims for the variadic
// functions (curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt) and for macros Swift cannot
// import. Only AgentryHTTP imports this module.

#include <curl/curl.h>

/// Signature shared by the write, header and read callbacks.
typedef size_t (*ccurl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

/// Signature of the seek callback (rewinds an upload on redirects and retries).
typedef int (*ccurl_seek_callback)(void *userdata, curl_off_t offset, int origin);

/// Calls curl_global_init(CURL_GLOBAL_ALL). Call once per process, before any other function.
CURLcode ccurl_global_init(void);

CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_write_function(CURL *easy, ccurl_data_callback callback);
CURLcode ccurl_easy_setopt_header_function(CURL *easy, ccurl_data_callback callback);
CURLcode ccurl_easy_setopt_read_function(CURL *easy, ccurl_data_callback callback);
CURLcode ccurl_easy_setopt_seek_function(CURL *easy, ccurl_seek_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_double(CURL *easy, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);

/// Resumes a transfer paused by a callback (curl_easy_pause with CURLPAUSE_CONT).
CURLcode ccurl_easy_unpause(CURL *easy);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// Reads one completion message: returns 1 and fills `easy` and `result` when a transfer finished,
/// 0 when no more messages are queued (other message kinds are skipped).
int ccurl_multi_info_read_done(CURLM *multi, CURL **easy, CURLcode *result);

/// Values of macros the Swift importer cannot see.
static const size_t CCURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;
static const size_t CCURL_READFUNC_ABORT = CURL_READFUNC_ABORT;
static const int CCURL_SEEKFUNC_OK = CURL_SEEKFUNC_OK;
static const int CCURL_SEEKFUNC_CANTSEEK = CURL_SEEKFUNC_CANTSEEK;
static const int CCURL_ERROR_SIZE = CURL_ERROR_SIZE;

#endif
