/*
 * ipip-tutor's agent inside the User-Mode Linux guest (built at build time into dist/guest-agent,
 * static, by src/build/guestAgent.ts). Why C: every fork in UML copies the parent's address space
 * into a new host process, so the agent must be tiny to fork from, and it must start as fast as the
 * kernel lets a process start. Measured in the guest (see README "Backends"): fork+exec of
 * /bin/true from this agent costs what it costs from sh; from perl or Node several times that.
 *
 * The wire protocol is src/sandbox/uml/protocol.ts (the types both sides follow): one JSON object
 * per line over the guest's /dev/ttyS0 (stdin/stdout here), which is put in raw mode. Host lines
 * are ASCII-only JSON (non-ASCII as \uXXXX), flat objects whose values are strings, numbers,
 * booleans or arrays of strings.
 *
 * It is the guest's init (PID 1): the kernel starts it directly (init=), with the parameters the
 * kernel does not know as its environment (bootPlan.ts kernelArgs):
 *   ipip_tutor_plan   the boot plan (bootPlan.ts bootPlanText): mounts, modules, the loopback up,
 *                     all done with system calls, since every process start costs tens of ms here
 *   ipip_tutor_path   the commands' PATH (the shim directory first)
 *   ipip_tutor_then   (bench floors only) a script for /bin/sh to run after the boot, then power off
 * The protocol runs over /dev/ttyS0; the kernel console (fds 1, 2) gets progress lines.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 64
#define CHUNK 49152
/* A background job may hold the pipes open after its shell exited: do not wait for it for long. */
#define LINGER_MS 150

static char *ENV[] = {
    NULL /* PATH=, from argv */, "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash", "LANG=C.UTF-8", "TERM=dumb", NULL,
};

struct job {
  int used;
  long id;
  pid_t pid;
  int fd[3];     /* [1] stdout pipe, [2] stderr pipe (-1 when merged or closed) */
  int in;        /* stdin pipe write end, -1 when done */
  char *input;   /* the command's stdin */
  size_t inlen, inoff;
  long max, bytes;
  int capped, exited, code, sig;
  double exitAt;
};
static struct job jobs[MAX_JOBS];

static int tty = -1; /* the host channel */

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---- output to the host ---- */
static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      _exit(0); /* host gone */
    }
    p += w;
    n -= (size_t)w;
  }
}

static char *obuf;
static size_t olen, ocap;
static void oput(const char *s, size_t n) {
  if (olen + n + 1 > ocap) {
    ocap = (olen + n + 1) * 2;
    obuf = realloc(obuf, ocap);
    if (!obuf) _exit(70);
  }
  memcpy(obuf + olen, s, n);
  olen += n;
}
static void ostr(const char *s) { oput(s, strlen(s)); }
static void ofmt(const char *f, ...) {
  char tmp[256];
  va_list a;
  va_start(a, f);
  int n = vsnprintf(tmp, sizeof tmp, f, a);
  va_end(a);
  oput(tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
static void ojson(const char *s) { /* a JSON string, ASCII only */
  oput("\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      oput(e, 2);
    } else if (c < 0x20 || c >= 0x7f)
      ofmt("\\u%04x", c);
    else
      oput((char *)&c, 1);
  }
  oput("\"", 1);
}
static void oflush(void) {
  oput("\n", 1);
  write_all(tty, obuf, olen);
  olen = 0;
}
static void oblob(const unsigned char *p, size_t n) { /* base64 */
  static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char q[4];
  size_t i = 0;
  for (; i + 2 < n; i += 3) {
    q[0] = T[p[i] >> 2], q[1] = T[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
    q[2] = T[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)], q[3] = T[p[i + 2] & 63];
    oput(q, 4);
  }
  if (i < n) {
    q[0] = T[p[i] >> 2];
    q[1] = T[((p[i] & 3) << 4) | (i + 1 < n ? p[i + 1] >> 4 : 0)];
    q[2] = i + 1 < n ? T[(p[i + 1] & 15) << 2] : '=';
    q[3] = '=';
    oput(q, 4);
  }
}
static void send_out(long id, int s, const char *d, size_t n) {
  ofmt("{\"t\":\"o\",\"id\":%ld,\"s\":%d,\"d\":\"", id, s);
  oblob((const unsigned char *)d, n);
  ostr("\"}");
  oflush();
}
static void send_log(const char *msg) {
  ostr("{\"t\":\"log\",\"msg\":");
  ojson(msg);
  ostr("}");
  oflush();
}

/* ---- a flat JSON object from the host ---- */
struct msg {
  char t[8];
  long id, max;
  int has_sh, has_argv, has_input, merge;
  char *sh, *input, *sig, *path, *ns;
  char **argv;
  int argc;
};

static const char *skip(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r') p++;
  return p;
}
static void put_utf8(char **o, unsigned u) {
  char *q = *o;
  if (u < 0x80) *q++ = (char)u;
  else if (u < 0x800) *q++ = (char)(0xc0 | u >> 6), *q++ = (char)(0x80 | (u & 63));
  else if (u < 0x10000)
    *q++ = (char)(0xe0 | u >> 12), *q++ = (char)(0x80 | ((u >> 6) & 63)), *q++ = (char)(0x80 | (u & 63));
  else
    *q++ = (char)(0xf0 | u >> 18), *q++ = (char)(0x80 | ((u >> 12) & 63)), *q++ = (char)(0x80 | ((u >> 6) & 63)),
    *q++ = (char)(0x80 | (u & 63));
  *o = q;
}
static int hex4(const char *p, unsigned *u) {
  *u = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return -1;
    *u = *u * 16 + (unsigned)v;
  }
  return 0;
}
/* Parses a string at p (on the opening quote); returns a malloc'd copy, *end after the closing quote. */
static char *jstring(const char *p, const char **end) {
  if (*p != '"') return NULL;
  p++;
  char *out = malloc(strlen(p) * 2 + 1), *o = out; /* \uXXXX (6) -> at most 4 bytes */
  if (!out) return NULL;
  while (*p && *p != '"') {
    if (*p != '\\') {
      *o++ = *p++;
      continue;
    }
    p++;
    char c = *p++;
    switch (c) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'u': {
        unsigned u, lo;
        if (hex4(p, &u)) goto bad;
        p += 4;
        if (u >= 0xd800 && u < 0xdc00 && p[0] == '\\' && p[1] == 'u' && !hex4(p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        }
        put_utf8(&o, u);
        break;
      }
      case 0: goto bad;
      default: *o++ = c; /* \" \\ \/ */
    }
  }
  if (*p != '"') goto bad;
  *o = 0;
  *end = p + 1;
  return out;
bad:
  free(out);
  return NULL;
}

static void free_msg(struct msg *m) {
  free(m->sh);
  free(m->input);
  free(m->sig);
  free(m->path);
  free(m->ns);
  for (int i = 0; i < m->argc; i++) free(m->argv[i]);
  free(m->argv);
}

static int parse(const char *p, struct msg *m) {
  memset(m, 0, sizeof *m);
  p = skip(p);
  if (*p++ != '{') return -1;
  for (;;) {
    p = skip(p);
    if (*p == '}') return 0;
    const char *e;
    char *key = jstring(p, &e);
    if (!key) return -1;
    p = skip(e);
    if (*p++ != ':') return free(key), -1;
    p = skip(p);
    if (*p == '"') {
      char *v = jstring(p, &e);
      if (!v) return free(key), -1;
      p = e;
      if (!strcmp(key, "t")) snprintf(m->t, sizeof m->t, "%s", v), free(v);
      else if (!strcmp(key, "sh")) m->sh = v, m->has_sh = 1;
      else if (!strcmp(key, "input")) m->input = v, m->has_input = 1;
      else if (!strcmp(key, "sig")) m->sig = v;
      else if (!strcmp(key, "path")) m->path = v;
      else if (!strcmp(key, "ns")) m->ns = v;
      else free(v);
    } else if (*p == '[') {
      p = skip(p + 1);
      m->has_argv = !strcmp(key, "argv");
      while (*p == '"') {
        char *v = jstring(p, &e);
        if (!v) return free(key), -1;
        m->argv = realloc(m->argv, sizeof(char *) * (size_t)(m->argc + 2));
        m->argv[m->argc++] = v;
        m->argv[m->argc] = NULL;
        p = skip(e);
        if (*p == ',') p = skip(p + 1);
      }
      if (*p++ != ']') return free(key), -1;
    } else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
      if (!strcmp(key, "merge")) m->merge = *p == 't';
      p += *p == 't' ? 4 : 5;
    } else {
      char *num_end;
      long v = strtol(p, &num_end, 10);
      if (num_end == p) return free(key), -1;
      p = num_end;
      if (!strcmp(key, "id")) m->id = v;
      else if (!strcmp(key, "max")) m->max = v;
    }
    free(key);
    p = skip(p);
    if (*p == ',') p++;
    else if (*p != '}') return -1;
  }
}

/* ---- jobs ---- */
static const struct {
  int n;
  const char *name;
} SIGNALS[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
               {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
               {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
               {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
               {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
static const char *sig_name(int s) {
  for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
    if (SIGNALS[i].n == s) return SIGNALS[i].name;
  return "SIGTERM";
}
static int sig_number(const char *name) {
  for (size_t i = 0; name && i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
    if (!strcmp(SIGNALS[i].name, name)) return SIGNALS[i].n;
  return SIGINT;
}

static struct job *find(long id) {
  for (int i = 0; i < MAX_JOBS; i++)
    if (jobs[i].used && jobs[i].id == id) return &jobs[i];
  return NULL;
}

static void kill_job(struct job *j, int sig) {
  if (j->exited) {
    kill(-j->pid, sig); /* what is left of its process group */
    return;
  }
  if (kill(-j->pid, sig) < 0) kill(j->pid, sig);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void finish(struct job *j) {
  close_fd(&j->fd[1]);
  close_fd(&j->fd[2]);
  close_fd(&j->in);
  free(j->input);
  if (j->sig) ofmt("{\"t\":\"x\",\"id\":%ld,\"code\":null,\"sig\":\"%s\"}", j->id, sig_name(j->sig));
  else ofmt("{\"t\":\"x\",\"id\":%ld,\"code\":%d,\"sig\":null}", j->id, j->code);
  oflush();
  memset(j, 0, sizeof *j);
}

static void fail_start(long id, const char *what, int code) {
  char line[512];
  snprintf(line, sizeof line, "%s: %s\n", what, strerror(errno));
  send_out(id, 2, line, strlen(line));
  ofmt("{\"t\":\"x\",\"id\":%ld,\"code\":%d,\"sig\":null}", id, code);
  oflush();
}


/* ---- a line of plain words runs without bash ----
 * A line of plain words (no quoting, expansion, redirection, operator or assignment) means to bash
 * exactly "run this program with these arguments", and bash -c execs it in place. Starting bash
 * costs the guest more than most commands do (README "Backends": bash -c true is 2.5x /bin/true),
 * so the agent execs such a line itself, with the environment bash would give it. Builtins and
 * keywords (but true and false, whose programs do the same), a program not found or not runnable,
 * and every other line go to bash, which runs them and words the errors as it always does. */
#define MAX_WORDS 64
static const char *const SHELL_WORDS[] = {
    ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen", "complete",
    "compopt", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export", "fc",
    "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout", "mapfile", "popd",
    "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source",
    "suspend", "test", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait", "if",
    "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in",
    "function", "time", "coproc", NULL,
};

static int plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("-_./:,@+=", c));
}

/* Split `line` into `words` (pointing into `buf`); 0 when bash must read it. */
static int plain_words(const char *line, char *buf, size_t size, char **words) {
  if (strlen(line) >= size) return 0;
  strcpy(buf, line);
  int n = 0;
  for (char *p = buf; *p;) {
    while (*p == ' ' || *p == '\t') *p++ = '\0';
    if (!*p) break;
    if (n == MAX_WORDS) return 0;
    words[n++] = p;
    while (*p && *p != ' ' && *p != '\t')
      if (!plain_char(*p++)) return 0;
  }
  words[n] = NULL;
  if (n == 0 || strchr(words[0], '=')) return 0;
  for (int i = 0; SHELL_WORDS[i]; i++)
    if (!strcmp(words[0], SHELL_WORDS[i])) return 0;
  return 1;
}

/* In the child: exec the words as bash would; returns when bash should try instead. */
static void exec_plain(char **words) {
  static char file[4096], underscore[4200];
  char *env[16];
  int k = 0;
  for (; ENV[k]; k++) env[k] = ENV[k];
  env[k++] = "PWD=/tmp";
  env[k++] = "SHLVL=1";
  env[k++] = underscore;
  env[k] = NULL;
  const char *path = getenv("PATH");
  if (strchr(words[0], '/')) {
    snprintf(underscore, sizeof underscore, "_=%s", words[0]);
    execve(words[0], words, env);
    return;
  }
  for (const char *d = path ? path : ""; *d;) {
    const char *e = strchr(d, ':');
    size_t len = e ? (size_t)(e - d) : strlen(d);
    if (len > 0 && (size_t)snprintf(file, sizeof file, "%.*s/%s", (int)len, d, words[0]) < sizeof file) {
      snprintf(underscore, sizeof underscore, "_=%s", file);
      execve(file, words, env);
      if (errno == ENOEXEC) return; /* a script without #!: bash runs it itself */
    }
    if (!e) break;
    d = e + 1;
  }
}

static void start(struct msg *m) {
  char *shargv[] = {"/bin/bash", "-c", m->sh, NULL};
  char **argv = m->has_sh ? shargv : m->argv;
  if (!argv || !argv[0] || (!m->has_sh && m->argc == 0)) {
    errno = EINVAL;
    fail_start(m->id, "ipip-tutor agent: run", 127);
    return;
  }
  struct job *j = NULL;
  for (int i = 0; i < MAX_JOBS && !j; i++)
    if (!jobs[i].used) j = &jobs[i];
  if (!j) {
    errno = EAGAIN;
    fail_start(m->id, "ipip-tutor agent: too many commands at once", 126);
    return;
  }
  int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) < 0 || (!m->merge && pipe2(err, O_CLOEXEC) < 0) || (m->has_input && pipe2(in, O_CLOEXEC) < 0)) {
    fail_start(m->id, "ipip-tutor agent: pipe", 126);
    for (int k = 0; k < 2; k++) {
      if (out[k] >= 0) close(out[k]);
      if (err[k] >= 0) close(err[k]);
      if (in[k] >= 0) close(in[k]);
    }
    return;
  }
  static char wordbuf[8192];
  char *words[MAX_WORDS + 1];
  int plain = m->has_sh && plain_words(m->sh, wordbuf, sizeof wordbuf, words);
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid(); /* its own process group: Ctrl-C reaches everything it started */
    int null = open("/dev/null", O_RDWR);
    dup2(m->has_input ? in[0] : null, 0);
    dup2(out[1], 1);
    dup2(m->merge ? out[1] : err[1], 2);
    if (chdir("/tmp") < 0) { /* stay where we are */
    }
    if (plain) exec_plain(words);
    execvpe(argv[0], argv, ENV);
    int e = errno;
    char line[512];
    snprintf(line, sizeof line, "%s: %s\n", argv[0], e == ENOENT ? "command not found" : strerror(e));
    write_all(2, line, strlen(line));
    _exit(e == ENOENT ? 127 : 126);
  }
  close(out[1]);
  if (err[1] >= 0) close(err[1]);
  if (in[0] >= 0) close(in[0]);
  if (pid < 0) {
    fail_start(m->id, "ipip-tutor agent: fork", 126);
    close(out[0]);
    if (err[0] >= 0) close(err[0]);
    if (in[1] >= 0) close(in[1]);
    return;
  }
  memset(j, 0, sizeof *j);
  j->used = 1;
  j->id = m->id;
  j->pid = pid;
  j->fd[0] = -1;
  j->fd[1] = out[0];
  j->fd[2] = err[0];
  j->in = in[1];
  j->max = m->max > 0 ? m->max : 0;
  if (j->in >= 0) {
    fcntl(j->in, F_SETFL, O_NONBLOCK);
    j->inlen = strlen(m->input);
    j->input = m->input;
    m->input = NULL;
    if (j->inlen == 0) close_fd(&j->in);
  }
}

static void on_output(struct job *j, int s) {
  static char buf[CHUNK];
  ssize_t n = read(j->fd[s], buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close_fd(&j->fd[s]);
    return;
  }
  if (j->capped) return; /* drain, keep nothing */
  if (j->max) {
    j->bytes += n;
    if (j->bytes > j->max) {
      n -= j->bytes - j->max;
      j->capped = 1;
    }
  }
  if (n > 0) send_out(j->id, s, buf, (size_t)n);
  if (j->capped) {
    ofmt("{\"t\":\"cap\",\"id\":%ld,\"s\":%d}", j->id, s);
    oflush();
    kill_job(j, SIGKILL);
  }
}

static void on_input(struct job *j) {
  ssize_t w = write(j->in, j->input + j->inoff, j->inlen - j->inoff);
  if (w < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (w < 0) j->inoff = j->inlen;
  else j->inoff += (size_t)w;
  if (j->inoff == j->inlen) close_fd(&j->in);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_JOBS; i++) {
      struct job *j = &jobs[i];
      if (!j->used || j->pid != pid) continue;
      j->exited = 1;
      j->exitAt = now_ms();
      j->code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
      j->sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
  }
}

/* A file read as `cat` (in a namespace as `ip netns exec NS cat`) would, without a process: the
   agent is single-threaded, so it may enter the namespace itself and come back. */
static void send_exit(long id, int code) {
  ofmt("{\"t\":\"x\",\"id\":%ld,\"code\":%d,\"sig\":null}", id, code);
  oflush();
}
static void read_file(struct msg *m) {
  char line[1200];
  static int home = -1;
  if (!m->path) return send_exit(m->id, 1);
  if (m->ns) {
    if (home < 0) home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    char nsPath[600];
    snprintf(nsPath, sizeof nsPath, "/run/netns/%s", m->ns);
    int fd = open(nsPath, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
      snprintf(line, sizeof line, "Cannot open network namespace \"%s\": %s\n", m->ns, strerror(errno));
      if (fd >= 0) close(fd);
      send_out(m->id, 2, line, strlen(line));
      return send_exit(m->id, 255);
    }
    close(fd);
  }
  int fd = open(m->path, O_RDONLY | O_CLOEXEC);
  int err = errno;
  if (m->ns && home >= 0) setns(home, CLONE_NEWNET); /* the file, once open, stays the namespace's */
  if (fd < 0) {
    snprintf(line, sizeof line, "cat: %s: %s\n", m->path, strerror(err));
    send_out(m->id, 2, line, strlen(line));
    return send_exit(m->id, 1);
  }
  static char buf[CHUNK];
  long total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    if (m->max > 0 && total + n > m->max) n = m->max - total;
    if (n > 0) send_out(m->id, 1, buf, (size_t)n);
    total += n;
    if (m->max > 0 && total >= m->max) break;
  }
  int code = 0;
  if (n < 0) {
    snprintf(line, sizeof line, "cat: %s: %s\n", m->path, strerror(errno));
    send_out(m->id, 2, line, strlen(line));
    code = 1;
  }
  close(fd);
  send_exit(m->id, code);
}

/* ---- the host's lines ---- */
static void on_line(char *line) {
  if (!*skip(line)) return;
  struct msg m;
  if (parse(line, &m) < 0) {
    char note[120];
    snprintf(note, sizeof note, "bad line: %.80s", line);
    send_log(note);
    free_msg(&m);
    return;
  }
  if (!strcmp(m.t, "run")) start(&m);
  else if (!strcmp(m.t, "read")) read_file(&m);
  else if (!strcmp(m.t, "sig")) {
    struct job *j = find(m.id);
    if (j) kill_job(j, sig_number(m.sig));
  } else if (!strcmp(m.t, "ping")) {
    ofmt("{\"t\":\"pong\",\"id\":%ld}", m.id);
    oflush();
  }
  free_msg(&m);
}

/* ---- the boot plan (one operation per line, fields separated by spaces; '-' is empty) ----
 *   mount SRC TARGET FSTYPE FLAGS DATA   FLAGS: comma list of bind, ro, mkdir (create TARGET)
 *   mkdir PATH                           (with parents)
 *   insmod FILE                          %R in FILE is the kernel release
 *   hostname NAME
 *   loopback                             lo up
 *   phase TEXT...                        a progress line on the console
 */
static void mkdirs(const char *path) {
  char p[1024];
  snprintf(p, sizeof p, "%s", path);
  for (char *q = p + 1; *q; q++)
    if (*q == '/') {
      *q = 0;
      mkdir(p, 0755);
      *q = '/';
    }
  mkdir(p, 0755);
}

static void boot_note(const char *what, const char *arg) {
  dprintf(2, "ipip-tutor agent: %s %s: %s\n", what, arg, strerror(errno));
}

static void run_plan(const char *file, const char *release, const char *phaseMark) {
  FILE *f = fopen(file, "r");
  if (!f) {
    boot_note("boot plan", file);
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = 0;
    char *v[6] = {0};
    int n = 0;
    for (char *tok = strtok(line, " "); tok && n < 6; tok = strtok(NULL, n < 5 ? " " : ""))
      v[n++] = strcmp(tok, "-") ? tok : NULL;
    if (!n || !v[0]) continue;
    if (!strcmp(v[0], "mount") && n >= 4) {
      unsigned long flags = 0;
      char opts[256];
      snprintf(opts, sizeof opts, "%s", v[4] ? v[4] : "");
      for (char *o = strtok(opts, ","); o; o = strtok(NULL, ",")) {
        if (!strcmp(o, "bind")) flags |= MS_BIND;
        else if (!strcmp(o, "ro")) flags |= MS_RDONLY;
        else if (!strcmp(o, "mkdir")) mkdirs(v[2]);
      }
      if (mount(v[1], v[2], v[3], flags, n > 5 ? v[5] : NULL) < 0) boot_note("mount", v[2]);
    } else if (!strcmp(v[0], "mkdir") && v[1]) {
      mkdirs(v[1]);
    } else if (!strcmp(v[0], "insmod") && v[1]) {
      char path[1024], *at = strstr(v[1], "%R");
      if (at) snprintf(path, sizeof path, "%.*s%s%s", (int)(at - v[1]), v[1], release, at + 2);
      else snprintf(path, sizeof path, "%s", v[1]);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) < 0) {
        if (errno != EEXIST) boot_note("insmod", path);
      }
      if (fd >= 0) close(fd);
    } else if (!strcmp(v[0], "hostname") && v[1]) {
      if (sethostname(v[1], strlen(v[1])) < 0) boot_note("hostname", v[1]);
    } else if (!strcmp(v[0], "loopback")) {
      int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      struct ifreq ifr;
      memset(&ifr, 0, sizeof ifr);
      snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
      if (sk < 0 || ioctl(sk, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(sk, SIOCSIFFLAGS, &ifr) < 0))
        boot_note("loopback", "lo");
      if (sk >= 0) close(sk);
    } else if (!strcmp(v[0], "phase")) {
      dprintf(1, "%s%s%s%s\n", phaseMark, v[1] ? v[1] : "", v[2] ? " " : "", v[2] ? v[2] : "");
    }
  }
  free(line);
  fclose(f);
}

/* ---- setup ---- */
static int exists(const char *p) {
  struct stat s;
  return stat(p, &s) == 0;
}

/* Makes the kernel's modules visible where modprobe looks (/usr/lib is an overlay by now). */
static void link_modules(const char *modulesRoot, const char *release) {
  char mod[512], pkg[512], path[600];
  snprintf(mod, sizeof mod, "/lib/modules/%s", release);
  snprintf(pkg, sizeof pkg, "%s/%s", modulesRoot, release);
  if (!exists(mod) && exists(pkg) && symlink("uml/modules", "/usr/lib/modules") < 0) {
    snprintf(path, sizeof path, "../uml/modules/%s", release);
    snprintf(mod, sizeof mod, "/usr/lib/modules/%s", release);
    if (symlink(path, mod) < 0) boot_note("link modules", mod);
  }
}

static void ready(void) {
  struct utsname u;
  uname(&u);
  char mod[512], path[600];
  snprintf(mod, sizeof mod, "/lib/modules/%s", u.release);
  /* A tunnel kind is there when its module is in the tree or built in. */
  char *builtin = NULL;
  snprintf(path, sizeof path, "%s/modules.builtin", mod);
  FILE *f = fopen(path, "r");
  if (f) {
    size_t cap = 0;
    if (getdelim(&builtin, &cap, 0, f) < 0) builtin = NULL;
    fclose(f);
  }
  int has[2];
  const char *ko[2] = {"ipip.ko", "ip_gre.ko"};
  for (int i = 0; i < 2; i++) {
    char needle[32];
    snprintf(path, sizeof path, "%s/kernel/net/ipv4/%s", mod, ko[i]);
    snprintf(needle, sizeof needle, "/%s", ko[i]);
    has[i] = exists(path) || (builtin && strstr(builtin, needle));
  }
  free(builtin);
  ostr("{\"t\":\"ready\",\"kernel\":");
  ojson(u.release);
  ofmt(",\"features\":{\"ipip\":%s,\"gre\":%s}}", has[0] ? "true" : "false", has[1] ? "true" : "false");
  oflush();
}

/* Bench floors: the same boot, then a plain script instead of the agent's loop, then power off. */
static void then_script(const char *script) {
  pid_t p = fork();
  if (p == 0) {
    execle("/bin/sh", "sh", script, (char *)NULL, ENV);
    _exit(127);
  }
  int st;
  while (waitpid(-1, &st, 0) != p && errno != ECHILD) {
  }
  sync();
  reboot(RB_POWER_OFF);
  _exit(0);
}

int main(void) {
  /* Setuid binaries on the host show as owned by nobody in the boundary's user namespace; as
     root in the guest everything runs as root anyway, so no command may gain (or lose) by them. */
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  const char *pathEnv = getenv("ipip_tutor_path"), *planFile = getenv("ipip_tutor_plan"), *then = getenv("ipip_tutor_then");
  const char *modulesRoot = getenv("ipip_tutor_modules");
  static char path[4096];
  snprintf(path, sizeof path, "PATH=%s", pathEnv ? pathEnv : "/usr/sbin:/usr/bin:/sbin:/bin");
  ENV[0] = path;
  setenv("PATH", path + 5, 1); /* execvpe looks commands up in the agent's own PATH */
  struct utsname u;
  uname(&u);
  if (planFile) run_plan(planFile, u.release, "IPIP-TUTOR-PHASE:");
  link_modules(modulesRoot ? modulesRoot : "/usr/lib/uml/modules", u.release);
  if (then) then_script(then);

  tty = open("/dev/ttyS0", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0) {
    boot_note("open", "/dev/ttyS0");
    return 70;
  }
  struct termios t;
  if (tcgetattr(tty, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(tty, TCSANOW, &t);
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);
  ready();

  char *line = NULL;
  size_t len = 0, cap = 0;
  struct pollfd p[2 + MAX_JOBS * 3];
  struct job *owner[2 + MAX_JOBS * 3];
  int which[2 + MAX_JOBS * 3];
  for (;;) {
    int n = 0, timeout = -1;
    p[n].fd = tty, p[n].events = POLLIN, owner[n] = NULL, n++;
    p[n].fd = sfd, p[n].events = POLLIN, owner[n] = NULL, n++;
    double t = now_ms();
    for (int i = 0; i < MAX_JOBS; i++) {
      struct job *j = &jobs[i];
      if (!j->used) continue;
      for (int s = 1; s <= 2; s++)
        if (j->fd[s] >= 0) p[n].fd = j->fd[s], p[n].events = POLLIN, owner[n] = j, which[n] = s, n++;
      if (j->in >= 0) p[n].fd = j->in, p[n].events = POLLOUT, owner[n] = j, which[n] = 0, n++;
      if (j->exited) {
        int left = (int)(j->exitAt + LINGER_MS - t);
        if (left < 0) left = 0;
        if (timeout < 0 || left < timeout) timeout = left;
      }
    }
    if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR) return 70;
    for (int k = 2; k < n; k++) {
      if (!p[k].revents) continue;
      if (which[k] == 0) {
        if (p[k].revents & (POLLERR | POLLHUP)) close_fd(&owner[k]->in);
        else on_input(owner[k]);
      } else
        on_output(owner[k], which[k]);
    }
    if (p[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      reap();
    }
    if (p[0].revents) {
      if (len + 65536 > cap) {
        cap = (len + 65536) * 2;
        line = realloc(line, cap);
        if (!line) return 70;
      }
      ssize_t r = read(tty, line + len, cap - len - 1);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) return 0; /* host gone */
      if (r > 0) {
        len += (size_t)r;
        line[len] = 0;
        char *start = line, *nl;
        while ((nl = memchr(start, '\n', len - (size_t)(start - line)))) {
          *nl = 0;
          on_line(start);
          start = nl + 1;
        }
        len -= (size_t)(start - line);
        memmove(line, start, len);
      }
    }
    /* Ended: exited and its pipes closed, or exited LINGER_MS ago (the pipes held by a background job). */
    t = now_ms();
    for (int i = 0; i < MAX_JOBS; i++) {
      struct job *j = &jobs[i];
      if (j->used && j->exited && ((j->fd[1] < 0 && j->fd[2] < 0) || t - j->exitAt >= LINGER_MS)) finish(j);
    }
  }
}
