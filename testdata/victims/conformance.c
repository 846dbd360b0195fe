/*
 * conformance: raw syscalls whose fate in FreeBSD capability mode is known,
 * checked against captrace's Linux emulation.
 *
 *   captrace --mode=enforce --errno-capmode=EDOM --errno-notcapable=ERANGE \
 *       -- conformance 33 34
 *
 * argv[1] is the errno captrace gives ECAPMODE, argv[2] the one it gives
 * ENOTCAPABLE. One line per call, "name expected=X got=N"; exit 0 iff every
 * call met its expectation. Allowed calls may fail for ordinary reasons,
 * but never with either of those two errnos.
 *
 * Expectations follow sys/kern/syscalls.master (CAPENABLED),
 * sys/kern/vfs_lookup.c (AT_FDCWD -> ECAPMODE, escapes -> ENOTCAPABLE),
 * sys/kern/uipc_syscalls.c (sendit), sys/kern/uipc_socket.c (socreate,
 * PR_CAPATTACH), sys/kern/kern_sig.c (kill), sys/kern/kern_cpuset.c
 * (cpuset_check_capabilities), and FreeBSD's Capsicum test suite,
 * tests/sys/capsicum: every capability-mode expectation there with a Linux
 * counterpart is one line below, named in a comment by file and test
 * (capmode.cc, openat.cc, capability-fd.cc, procdesc.cc, fexecve.cc,
 * mqueue.cc, select.cc, sysctl.cc, bindat_connectat.c, linux.cc).
 * Descriptor-rights expectations (ENOTCAPABLE from cap_rights_limit) are
 * not here: captrace's rights emulation tests those. Paths that must not be
 * touched in audit mode name /nonexistent, so the run is harmless even when
 * nothing is refused.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define PIDFD_SIGNAL_PROCESS_GROUP 0x4 /* include/uapi/linux/pidfd.h */
#define RESOLVE_BENEATH 0x08 /* include/uapi/linux/openat2.h */

/* Linux has no cap_enter(2): captrace's default enter point is the first
 * call of a function with this name. */
__attribute__((noinline)) int cap_enter(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

enum expect { ALLOWED, ECAPMODE_, ENOTCAPABLE_ };

static const char *expect_names[] = {"allowed", "ECAPMODE", "ENOTCAPABLE"};
static int errno_capmode = 1, errno_notcapable = 1;
static int failures, calls;

static void check(const char *name, enum expect want, long ret)
{
	int err = ret < 0 ? errno : 0;
	int ok;

	switch (want) {
	case ECAPMODE_:
		ok = err == errno_capmode;
		break;
	case ENOTCAPABLE_:
		ok = err == errno_notcapable;
		break;
	default:
		ok = err != errno_capmode && err != errno_notcapable;
	}
	calls++;
	if (!ok)
		failures++;
	printf("%s expected=%s got=%d%s\n", name, expect_names[want], err, ok ? "" : " FAIL");
}

#define CAPMODE(name, call) do { errno = 0; check(name, ECAPMODE_, (long)(call)); } while (0)
#define NOTCAP(name, call) do { errno = 0; check(name, ENOTCAPABLE_, (long)(call)); } while (0)
#define ALLOW(name, call) do { errno = 0; check(name, ALLOWED, (long)(call)); } while (0)

static char base[] = "/tmp/captrace-conformance-XXXXXX";

/* socket() then close(): ret is socket's, so a refusal keeps its errno. */
static long socket_closed(int family, int type, int protocol)
{
	long fd = syscall(SYS_socket, family, type, protocol);

	if (fd >= 0)
		syscall(SYS_close, fd);
	return fd;
}

/* capmode.cc, NewThread: a thread started before cap_enter is in
 * capability mode once its process is. */
static int thread_pipe[2];

static void *early_thread(void *arg)
{
	char c;

	(void)arg;
	if (read(thread_pipe[0], &c, 1) != 1)
		return NULL;
	CAPMODE("thread_open", syscall(SYS_open, "/etc/passwd", O_RDONLY));
	return NULL;
}

static void *late_thread(void *arg)
{
	(void)arg;
	CAPMODE("late_thread_open", syscall(SYS_open, "/etc/passwd", O_RDONLY));
	ALLOW("late_thread_getpid", syscall(SYS_getpid));
	return NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* The cleaner is forked before cap_enter, so it is not in capability
 * mode: it waits for the parent to go and removes the tree. */
static void start_cleaner(void)
{
	int p[2];
	char c;

	if (pipe(p) != 0)
		return;
	if (fork() == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		_exit(0);
	}
	close(p[0]); /* p[1] stays open until we exit */
}

static int build_tree(void)
{
	char path[512];
	char target[512];
	static const char *dirs[] = {"outside", "root", "root/sub", "root/sub/inner"};
	static const char *files[] = {"outside/secret", "root/file", "root/sub/file", "root/renameme", "root/rw"};
	/* openat.cc's OpenatTest tree: root is cap_topdir, root/sub its subdir. */
	static const char *links[][2] = {
		{"sub", "root/link_in"}, {"..", "root/link_up"}, {"/etc", "root/link_abs"},
		{"../newfile", "root/dangling_out"},
		{"file", "root/symlink.samedir"}, {"sub/file", "root/symlink.down"},
		{"/etc/passwd", "root/symlink.absolute_out"}, {"../root/file", "root/symlink.relative_in"},
		{"../outside/secret", "root/symlink.relative_out"}, {"../file", "root/sub/symlink.up"},
		{"./", "root/dsymlink.samedir"}, {"sub/", "root/dsymlink.down"},
		{"/etc/", "root/dsymlink.absolute_out"}, {"../root/", "root/dsymlink.relative_in"},
		{"../outside/", "root/dsymlink.relative_out"}, {"../", "root/sub/dsymlink.up"},
	};
	/* Absolute links back into the tree, made once its name is known. */
	static const char *abs_links[][2] = {
		{"root/file", "root/sub/symlink.absolute_in"}, {"root/", "root/sub/dsymlink.absolute_in"},
	};
	size_t i;

	if (mkdtemp(base) == NULL)
		return -1;
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", base, dirs[i]);
		if (mkdir(path, 0755) != 0)
			return -1;
	}
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", base, files[i]);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", base, links[i][1]);
		if (symlink(links[i][0], path) != 0)
			return -1;
	}
	for (i = 0; i < sizeof abs_links / sizeof abs_links[0]; i++) {
		snprintf(target, sizeof target, "%s/%s", base, abs_links[i][0]);
		snprintf(path, sizeof path, "%s/%s", base, abs_links[i][1]);
		if (symlink(target, path) != 0)
			return -1;
	}
	snprintf(path, sizeof path, "%s/root", base);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_port = htons(9)};
	struct stat st;
	struct statx stx;
	struct timespec ts;
	struct rlimit rl;
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr named = {.msg_name = &lo, .msg_namelen = sizeof lo, .msg_iov = &iov, .msg_iovlen = 1};
	struct msghdr unnamed = {.msg_iov = &iov, .msg_iovlen = 1};
	struct { unsigned long long flags, mode, resolve; } how = {O_RDONLY, 0, 0};
	struct { unsigned long long flags, mode, resolve; } beneath_how = {O_RDONLY, 0, RESOLVE_BENEATH};
	struct sockaddr_in any = {.sin_family = AF_INET};
	char one[1] = "x";
	struct iovec wiov = {.iov_base = one, .iov_len = 1};
	struct mmsghdr mm = {.msg_hdr = {.msg_iov = &wiov, .msg_iovlen = 1}};
	struct sched_param sp;
	struct itimerval itv;
	struct timeval tv;
	struct rusage ru;
	struct utsname un;
	struct epoll_event ev = {.events = EPOLLIN};
	struct pollfd pfd;
	fd_set rset;
	stack_t ss;
	siginfo_t si;
	cpu_set_t cpus;
	char buf[4096];
	unsigned char vec[4];
	char *const noargv[] = {"x", NULL};
	int dirfd, subfd, filefd, rwfd, pipefd[2], pair[2], udp, tcp, inofd, status, mqd, epfd, pidfd, fds[2], proc_pipe[2];
	uid_t uid, euid, suid;
	gid_t gid, egid, sgid, groups[64];
	pid_t child, early_child;
	pthread_t early, late;
	long policy;
	off_t off;
	void *mem;
	char mqname[64];

	if (argc > 2) {
		errno_capmode = atoi(argv[1]);
		errno_notcapable = atoi(argv[2]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	/* Everything global happens before cap_enter. */
	dirfd = build_tree();
	if (dirfd < 0) {
		perror("conformance: set up tree");
		return 2;
	}
	start_cleaner();
	filefd = openat(dirfd, "file", O_RDONLY | O_CLOEXEC);
	rwfd = openat(dirfd, "rw", O_RDWR | O_CLOEXEC);
	subfd = openat(dirfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (filefd < 0 || rwfd < 0 || subfd < 0 || pipe2(pipefd, O_CLOEXEC) != 0 ||
	    pipe2(thread_pipe, O_CLOEXEC) != 0 || pipe2(proc_pipe, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) != 0 ||
	    (udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (inofd = inotify_init1(IN_CLOEXEC)) < 0 ||
	    pthread_create(&early, NULL, early_thread, NULL) != 0) {
		perror("conformance: set up descriptors");
		return 2;
	}
	/* A message queue opened and unlinked before cap_enter (mqueue.c);
	 * -1 where the kernel has none, and the calls on it fail EBADF. */
	snprintf(mqname, sizeof mqname, "/captrace-conformance-%d", (int)getpid());
	mqd = (int)syscall(SYS_mq_open, mqname, O_RDWR | O_CREAT | O_CLOEXEC, 0600, NULL);
	if (mqd >= 0)
		syscall(SYS_mq_unlink, mqname);
	/* capmode.cc, NewThread: a child forked before cap_enter stays out
	 * of capability mode. */
	early_child = fork();
	if (early_child == 0) {
		char c;

		if (read(proc_pipe[0], &c, 1) != 1)
			_exit(4);
		_exit(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC) < 0 ? 3 : 0);
	}
	uid = getuid();
	gid = getgid();
	policy = sched_getscheduler(0);
	sched_getparam(0, &sp);

	cap_enter();

	/* Global namespaces: ECAPMODE (syscalls.master, namei_setup). */
	CAPMODE("open", syscall(SYS_open, "/etc/passwd", O_RDONLY));
	CAPMODE("openat_fdcwd_absolute", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY));
	CAPMODE("openat_fdcwd_relative", syscall(SYS_openat, AT_FDCWD, "relative", O_RDONLY));
	CAPMODE("openat2_fdcwd", syscall(SYS_openat2, AT_FDCWD, "/etc/passwd", &how, sizeof how));
	CAPMODE("creat", syscall(SYS_creat, "/nonexistent/x", 0644));
	CAPMODE("stat", syscall(SYS_stat, "/etc/passwd", &st));
	CAPMODE("lstat", syscall(SYS_lstat, "/etc/passwd", &st));
	CAPMODE("newfstatat_fdcwd", syscall(SYS_newfstatat, AT_FDCWD, "/etc", &st, 0));
	CAPMODE("newfstatat_fdcwd_empty", syscall(SYS_newfstatat, AT_FDCWD, "", &st, AT_EMPTY_PATH));
	CAPMODE("statx_fdcwd", syscall(SYS_statx, AT_FDCWD, "/etc", 0, STATX_BASIC_STATS, &stx));
	CAPMODE("access", syscall(SYS_access, "/etc/passwd", R_OK));
	CAPMODE("faccessat_fdcwd", syscall(SYS_faccessat, AT_FDCWD, "/etc/passwd", R_OK));
	CAPMODE("faccessat2_fdcwd", syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, 0));
	CAPMODE("mkdir", syscall(SYS_mkdir, "/nonexistent/x", 0755));
	CAPMODE("mkdirat_fdcwd", syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent/x", 0755));
	CAPMODE("mknod", syscall(SYS_mknod, "/nonexistent/x", S_IFIFO | 0644, 0));
	CAPMODE("mknodat_fdcwd", syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/x", S_IFIFO | 0644, 0));
	CAPMODE("unlink", syscall(SYS_unlink, "/nonexistent/x"));
	CAPMODE("unlinkat_fdcwd", syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent/x", 0));
	CAPMODE("rmdir", syscall(SYS_rmdir, "/nonexistent/x"));
	CAPMODE("rename", syscall(SYS_rename, "/nonexistent/a", "/nonexistent/b"));
	CAPMODE("renameat_fdcwd_target", syscall(SYS_renameat, dirfd, "renameme", AT_FDCWD, "/nonexistent/b"));
	CAPMODE("link", syscall(SYS_link, "/nonexistent/a", "/nonexistent/b"));
	CAPMODE("linkat_fdcwd", syscall(SYS_linkat, AT_FDCWD, "/nonexistent/a", dirfd, "b", 0));
	CAPMODE("symlink", syscall(SYS_symlink, "x", "/nonexistent/x"));
	CAPMODE("symlinkat_fdcwd", syscall(SYS_symlinkat, "x", AT_FDCWD, "/nonexistent/x"));
	CAPMODE("readlink", syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf));
	CAPMODE("readlinkat_fdcwd", syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, sizeof buf));
	CAPMODE("chmod", syscall(SYS_chmod, "/nonexistent/x", 0644));
	CAPMODE("fchmodat_fdcwd", syscall(SYS_fchmodat, AT_FDCWD, "/nonexistent/x", 0644));
	CAPMODE("chown", syscall(SYS_chown, "/nonexistent/x", -1, -1));
	CAPMODE("lchown", syscall(SYS_lchown, "/nonexistent/x", -1, -1));
	CAPMODE("fchownat_fdcwd", syscall(SYS_fchownat, AT_FDCWD, "/nonexistent/x", -1, -1, 0));
	CAPMODE("utimes", syscall(SYS_utimes, "/nonexistent/x", NULL));
	CAPMODE("utimensat_fdcwd", syscall(SYS_utimensat, AT_FDCWD, "/nonexistent/x", NULL, 0));
	CAPMODE("truncate", syscall(SYS_truncate, "/nonexistent/x", 0));
	CAPMODE("statfs", syscall(SYS_statfs, "/", buf));
	CAPMODE("chdir", syscall(SYS_chdir, "/nonexistent"));
	CAPMODE("fchdir", syscall(SYS_fchdir, dirfd));
	CAPMODE("getcwd", syscall(SYS_getcwd, buf, sizeof buf));
	CAPMODE("chroot", syscall(SYS_chroot, "/nonexistent"));
	CAPMODE("acct", syscall(SYS_acct, "/nonexistent/x"));
	CAPMODE("mount", syscall(SYS_mount, "none", "/nonexistent", "tmpfs", 0, NULL));
	CAPMODE("swapon", syscall(SYS_swapon, "/nonexistent/x", 0));
	CAPMODE("inotify_add_watch", syscall(SYS_inotify_add_watch, inofd, "/nonexistent", IN_ACCESS));
	CAPMODE("execve", syscall(SYS_execve, "/nonexistent/x", noargv, environ));
	CAPMODE("execveat_by_name", syscall(SYS_execveat, AT_FDCWD, "/nonexistent/x", noargv, environ, 0));
	CAPMODE("connect", syscall(SYS_connect, udp, &lo, sizeof lo));
	CAPMODE("bind", syscall(SYS_bind, udp, &lo, sizeof lo));
	CAPMODE("sendto_address", syscall(SYS_sendto, udp, "x", 1, 0, &lo, sizeof lo));
	CAPMODE("sendmsg_address", syscall(SYS_sendmsg, udp, &named, 0));
	CAPMODE("kill_other", syscall(SYS_kill, 1, 0));
	CAPMODE("kill_group", syscall(SYS_kill, 0, 0));
	CAPMODE("kill_all", syscall(SYS_kill, -1, 0));
	CAPMODE("kill_parent", syscall(SYS_kill, getppid(), 0));
	CAPMODE("tgkill_other", syscall(SYS_tgkill, getppid(), getppid(), 0));
	CAPMODE("setpgid", syscall(SYS_setpgid, 0, 0));
	CAPMODE("prlimit64_other", syscall(SYS_prlimit64, 1, RLIMIT_NOFILE, NULL, &rl));
	CAPMODE("sched_getaffinity_other", syscall(SYS_sched_getaffinity, 1, sizeof cpus, &cpus));
	CAPMODE("waitid", syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, NULL));
	CAPMODE("ptrace", syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, 0x7ffffff0, 0, 0));
	CAPMODE("settimeofday", syscall(SYS_settimeofday, NULL, NULL));
	CAPMODE("clock_settime", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts));

	/* Escapes from a directory descriptor: ENOTCAPABLE (vfs_lookup.c). */
	NOTCAP("openat_absolute", syscall(SYS_openat, dirfd, "/etc/passwd", O_RDONLY));
	NOTCAP("openat_dotdot", syscall(SYS_openat, dirfd, "../outside/secret", O_RDONLY));
	NOTCAP("openat_dotdot_deep", syscall(SYS_openat, dirfd, "sub/../../outside/secret", O_RDONLY));
	NOTCAP("openat_dotdot_back_in", syscall(SYS_openat, dirfd, "../root/file", O_RDONLY));
	NOTCAP("openat_symlink_up", syscall(SYS_openat, dirfd, "link_up/outside/secret", O_RDONLY));
	NOTCAP("openat_symlink_absolute", syscall(SYS_openat, dirfd, "link_abs/passwd", O_RDONLY));
	NOTCAP("openat_creat_dangling_out", syscall(SYS_openat, dirfd, "dangling_out", O_WRONLY | O_CREAT, 0644));
	NOTCAP("openat2_dotdot", syscall(SYS_openat2, dirfd, "../outside/secret", &how, sizeof how));
	NOTCAP("newfstatat_dotdot", syscall(SYS_newfstatat, dirfd, "..", &st, 0));
	NOTCAP("newfstatat_follow_link_up", syscall(SYS_newfstatat, dirfd, "link_up", &st, 0));
	NOTCAP("statx_dotdot", syscall(SYS_statx, dirfd, "../outside", 0, STATX_BASIC_STATS, &stx));
	NOTCAP("faccessat_dotdot", syscall(SYS_faccessat, dirfd, "../outside", F_OK));
	NOTCAP("fchmodat_symlink_up", syscall(SYS_fchmodat, dirfd, "link_up/outside/secret", 0644));
	NOTCAP("fchownat_absolute", syscall(SYS_fchownat, dirfd, "/etc/passwd", -1, -1, 0));
	NOTCAP("utimensat_dotdot", syscall(SYS_utimensat, dirfd, "../outside/secret", NULL, 0));
	NOTCAP("readlinkat_dotdot", syscall(SYS_readlinkat, dirfd, "../root/link_up", buf, sizeof buf));
	NOTCAP("mkdirat_dotdot", syscall(SYS_mkdirat, dirfd, "../newdir", 0755));
	NOTCAP("mkdirat_in_link_up", syscall(SYS_mkdirat, dirfd, "link_up/newdir2", 0755));
	NOTCAP("unlinkat_dotdot", syscall(SYS_unlinkat, dirfd, "../outside/nothing", 0));
	NOTCAP("symlinkat_dotdot", syscall(SYS_symlinkat, "x", dirfd, "../lnk"));
	NOTCAP("linkat_target_dotdot", syscall(SYS_linkat, dirfd, "file", dirfd, "../hard", 0));
	NOTCAP("renameat_target_dotdot", syscall(SYS_renameat, dirfd, "renameme", dirfd, "../stolen"));

	/* Allowed: descriptor work, lookups beneath, the process itself. */
	ALLOW("openat_beneath", syscall(SYS_openat, dirfd, "file", O_RDONLY | O_CLOEXEC));
	ALLOW("openat_dotdot_beneath", syscall(SYS_openat, dirfd, "sub/inner/../file", O_RDONLY | O_CLOEXEC));
	ALLOW("openat_symlink_inside", syscall(SYS_openat, dirfd, "link_in/file", O_RDONLY | O_CLOEXEC));
	ALLOW("openat_creat", syscall(SYS_openat, dirfd, "sub/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	ALLOW("openat_nofollow_link_up", syscall(SYS_openat, dirfd, "link_up", O_RDONLY | O_NOFOLLOW | O_PATH));
	ALLOW("newfstatat_beneath", syscall(SYS_newfstatat, dirfd, "file", &st, 0));
	ALLOW("newfstatat_empty_path", syscall(SYS_newfstatat, filefd, "", &st, AT_EMPTY_PATH));
	ALLOW("newfstatat_nofollow_link_up", syscall(SYS_newfstatat, dirfd, "link_up", &st, AT_SYMLINK_NOFOLLOW));
	ALLOW("statx_empty_path", syscall(SYS_statx, filefd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	ALLOW("faccessat_beneath", syscall(SYS_faccessat, dirfd, "file", R_OK));
	ALLOW("readlinkat_beneath", syscall(SYS_readlinkat, dirfd, "link_up", buf, sizeof buf));
	ALLOW("mkdirat_beneath", syscall(SYS_mkdirat, dirfd, "newdir", 0755));
	ALLOW("unlinkat_dir", syscall(SYS_unlinkat, dirfd, "newdir", AT_REMOVEDIR));
	ALLOW("symlinkat_beneath", syscall(SYS_symlinkat, "/etc/passwd", dirfd, "sub/lnk"));
	ALLOW("linkat_beneath", syscall(SYS_linkat, dirfd, "file", dirfd, "sub/hard", 0));
	ALLOW("renameat_beneath", syscall(SYS_renameat, dirfd, "sub/hard", dirfd, "sub/hard2"));
	ALLOW("unlinkat_beneath", syscall(SYS_unlinkat, dirfd, "sub/new", 0));
	ALLOW("utimensat_null_path", syscall(SYS_utimensat, filefd, NULL, NULL, 0));
	ALLOW("fstat", syscall(SYS_fstat, filefd, &st));
	ALLOW("fchmod", syscall(SYS_fchmod, filefd, 0644));
	ALLOW("getdents64", syscall(SYS_getdents64, dirfd, buf, sizeof buf));
	ALLOW("lseek", syscall(SYS_lseek, filefd, 0, SEEK_SET));
	ALLOW("fcntl", syscall(SYS_fcntl, filefd, F_GETFL));
	ALLOW("dup_close", syscall(SYS_close, (int)syscall(SYS_dup, filefd)));
	ALLOW("write_pipe", syscall(SYS_write, pipefd[1], "x", 1));
	ALLOW("read_pipe", syscall(SYS_read, pipefd[0], buf, 1));
	ALLOW("socket", syscall(SYS_close, (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0)));
	ALLOW("sendto_no_address", syscall(SYS_sendto, pair[0], "x", 1, 0, NULL, 0));
	ALLOW("sendmsg_no_address", syscall(SYS_sendmsg, pair[0], &unnamed, 0));
	ALLOW("recvfrom", syscall(SYS_recvfrom, pair[1], buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));
	ALLOW("getpid", syscall(SYS_getpid));
	ALLOW("getuid", syscall(SYS_getuid));
	ALLOW("umask", syscall(SYS_umask, 022));
	ALLOW("kill_self", syscall(SYS_kill, getpid(), 0));
	ALLOW("tgkill_self", syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), 0));
	ALLOW("getpgid_self", syscall(SYS_getpgid, 0));
	ALLOW("getsid_self", syscall(SYS_getsid, 0));
	ALLOW("prlimit64_self", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl));
	ALLOW("sched_getaffinity_self", syscall(SYS_sched_getaffinity, 0, sizeof cpus, &cpus));
	ALLOW("getpriority_self", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	/* No capability-mode check in sys_getpgid, kern_getsid (kern_prot.c),
	 * kern_getpriority (kern_resource.c), sched_getscheduler (p1003_1b.c):
	 * only p_cansee. */
	ALLOW("getpgid_other", syscall(SYS_getpgid, 1));
	ALLOW("getsid_other", syscall(SYS_getsid, 1));
	ALLOW("getpriority_other", syscall(SYS_getpriority, PRIO_PROCESS, 1));
	ALLOW("getpriority_user", syscall(SYS_getpriority, PRIO_USER, 0));
	ALLOW("sched_getscheduler_other", syscall(SYS_sched_getscheduler, 1));
	ALLOW("getrandom", syscall(SYS_getrandom, buf, 16, 0));
	ALLOW("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts));
	ALLOW("nanosleep", syscall(SYS_nanosleep, &(struct timespec){0, 1000}, NULL));
	ALLOW("mmap_munmap", syscall(SYS_munmap, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096));

	/* capmode.cc, DisallowedFileSyscalls; getfsstat's counterpart is
	 * listmount, refused like it (the mount table is global). */
	CAPMODE("umount2", syscall(SYS_umount2, "/nonexistent", 0));
	CAPMODE("listmount_getfsstat", syscall(SYS_listmount, NULL, NULL, 0, 0));
	CAPMODE("open_dev_null", syscall(SYS_open, "/dev/null", O_RDWR));
	/* capmode.cc, DisallowedSocketSyscalls; bindat_connectat.c,
	 * bindat_connectat_2: a TCP socket made in capability mode. */
	CAPMODE("connect_tcp", syscall(SYS_connect, tcp, &lo, sizeof lo));
	CAPMODE("bind_any", syscall(SYS_bind, tcp, &any, sizeof any));
	/* capmode.cc, AllowedSocketSyscallsIfRoot: protocols without
	 * PR_CAPATTACH (socreate(), uipc_socket.c). AF_NETLINK stands for
	 * AF_ROUTE; AF_PACKET and ICMP "ping" sockets are raw access too. */
	CAPMODE("socket_raw_ip", socket_closed(AF_INET, SOCK_RAW, 0));
	CAPMODE("socket_raw_icmp", socket_closed(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	CAPMODE("socket_raw_tcp", socket_closed(AF_INET, SOCK_RAW, IPPROTO_TCP));
	CAPMODE("socket_raw_udp", socket_closed(AF_INET, SOCK_RAW, IPPROTO_UDP));
	CAPMODE("socket_raw6_icmp", socket_closed(AF_INET6, SOCK_RAW, IPPROTO_ICMP));
	CAPMODE("socket_raw6_icmpv6", socket_closed(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	CAPMODE("socket_raw6_tcp", socket_closed(AF_INET6, SOCK_RAW, IPPROTO_TCP));
	CAPMODE("socket_raw6_udp", socket_closed(AF_INET6, SOCK_RAW, IPPROTO_UDP));
	CAPMODE("socket_netlink_route", socket_closed(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	CAPMODE("socket_packet", socket_closed(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	CAPMODE("socket_ping", socket_closed(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	/* capmode.cc, AllowedAtSyscallsCwd: every *at call from AT_FDCWD. */
	CAPMODE("openat_fdcwd_file", syscall(SYS_openat, AT_FDCWD, "file", O_RDONLY));
	CAPMODE("newfstatat_fdcwd_relative", syscall(SYS_newfstatat, AT_FDCWD, "file", &st, 0));
	CAPMODE("futimesat_fdcwd", syscall(SYS_futimesat, AT_FDCWD, "/nonexistent/x", NULL));
	CAPMODE("renameat_fdcwd_both", syscall(SYS_renameat, AT_FDCWD, "/nonexistent/a", AT_FDCWD, "/nonexistent/b"));
	CAPMODE("linkat_fdcwd_both", syscall(SYS_linkat, AT_FDCWD, "/nonexistent/a", AT_FDCWD, "/nonexistent/b", 0));
	/* capmode.cc, AllowedMiscSyscalls: sysarch(I386_SET_IOPERM) is ioperm. */
	CAPMODE("ioperm_sysarch", syscall(SYS_ioperm, 0x80, 1, 0));
	/* linux.cc: NamespaceIfRoot (setns), CheckHighWord (prctl with the
	 * option's high word set), OpenByHandleAtIfRoot. */
	CAPMODE("setns", syscall(SYS_setns, dirfd, 0));
	CAPMODE("prctl_high_word", syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS | (1UL << 32), 0, 0, 0, 0));
	CAPMODE("open_by_handle_at", syscall(SYS_open_by_handle_at, dirfd, buf, O_RDONLY));
	/* mqueue.cc, CapModeIfMqOpenAvailable: the POSIX IPC namespace. */
	CAPMODE("mq_open", syscall(SYS_mq_open, "/captrace-nonexistent", O_RDONLY, 0, NULL));
	CAPMODE("mq_unlink", syscall(SYS_mq_unlink, "/captrace-nonexistent"));
	/* procdesc.cc: only process descriptors; a pid is a global name. */
	CAPMODE("pidfd_open", syscall(SYS_pidfd_open, getppid(), 0));

	/* openat.cc, OpenatTest.InCapabilityMode (CheckPolicing): strictly
	 * relative lookups; ".." only while it stays beneath the start. */
	NOTCAP("openat_sub_dotdot_file", syscall(SYS_openat, subfd, "../file", O_RDONLY));
	NOTCAP("openat_sub_dotdot_back_in", syscall(SYS_openat, subfd, "../sub/file", O_RDONLY));
	NOTCAP("openat_sub_dotdot", syscall(SYS_openat, subfd, "..", O_RDONLY));
	NOTCAP("openat_symlink_absolute_out", syscall(SYS_openat, dirfd, "symlink.absolute_out", O_RDONLY));
	NOTCAP("openat_symlink_relative_in", syscall(SYS_openat, dirfd, "symlink.relative_in", O_RDONLY));
	NOTCAP("openat_symlink_relative_out", syscall(SYS_openat, dirfd, "symlink.relative_out", O_RDONLY));
	NOTCAP("openat_sub_symlink_absolute_in", syscall(SYS_openat, subfd, "symlink.absolute_in", O_RDONLY));
	NOTCAP("openat_sub_symlink_up", syscall(SYS_openat, subfd, "symlink.up", O_RDONLY));
	NOTCAP("openat_dsymlink_absolute_out", syscall(SYS_openat, dirfd, "dsymlink.absolute_out/passwd", O_RDONLY));
	NOTCAP("openat_dsymlink_relative_in", syscall(SYS_openat, dirfd, "dsymlink.relative_in/file", O_RDONLY));
	NOTCAP("openat_dsymlink_relative_out", syscall(SYS_openat, dirfd, "dsymlink.relative_out/secret", O_RDONLY));
	NOTCAP("openat_sub_dsymlink_absolute_in", syscall(SYS_openat, subfd, "dsymlink.absolute_in/file", O_RDONLY));
	NOTCAP("openat_sub_dsymlink_up", syscall(SYS_openat, subfd, "dsymlink.up/file", O_RDONLY));
	NOTCAP("openat_sub_absolute", syscall(SYS_openat, subfd, "/etc/passwd", O_RDONLY));
	/* openat.cc, WithFlagInCapabilityMode: O_RESOLVE_BENEATH is
	 * openat2's RESOLVE_BENEATH; capability mode judges first. */
	NOTCAP("openat2_beneath_dotdot", syscall(SYS_openat2, subfd, "../file", &beneath_how, sizeof beneath_how));
	NOTCAP("openat2_beneath_symlink_up", syscall(SYS_openat2, subfd, "symlink.up", &beneath_how, sizeof beneath_how));
	/* capability-fd.cc, OpenAtDirectoryTraversal. */
	NOTCAP("openat_dotdot_only", syscall(SYS_openat, dirfd, "..", O_RDONLY));
	NOTCAP("openat_root", syscall(SYS_openat, dirfd, "/", O_RDONLY));
	/* fexecve.cc, Execveat.NoUpwardTraversal: execveat by name from a
	 * descriptor is openat(O_EXEC) + fexecve, and namei judges it. */
	NOTCAP("execveat_absolute", syscall(SYS_execveat, dirfd, "/nonexistent/x", noargv, environ, 0));
	NOTCAP("execveat_dotdot", syscall(SYS_execveat, subfd, "../../outside/secret", noargv, environ, 0));

	/* openat.cc, CheckPolicing: lookups that stay beneath. O_NOFOLLOW on
	 * a final symlink fails ELOOP, not with a capability error. */
	ALLOW("openat_sub_dot", syscall(SYS_close, (int)syscall(SYS_openat, subfd, ".", O_RDONLY)));
	ALLOW("openat_sub_file", syscall(SYS_close, (int)syscall(SYS_openat, subfd, "file", O_RDONLY)));
	ALLOW("openat_symlink_samedir", syscall(SYS_close, (int)syscall(SYS_openat, dirfd, "symlink.samedir", O_RDONLY)));
	ALLOW("openat_symlink_down", syscall(SYS_close, (int)syscall(SYS_openat, dirfd, "symlink.down", O_RDONLY)));
	ALLOW("openat_dsymlink_samedir", syscall(SYS_close, (int)syscall(SYS_openat, dirfd, "dsymlink.samedir/file", O_RDONLY)));
	ALLOW("openat_dsymlink_down", syscall(SYS_close, (int)syscall(SYS_openat, dirfd, "dsymlink.down/file", O_RDONLY)));
	ALLOW("openat_nofollow_symlink_eloop", syscall(SYS_openat, dirfd, "symlink.samedir", O_RDONLY | O_NOFOLLOW));
	ALLOW("openat2_beneath_inside", syscall(SYS_close, (int)syscall(SYS_openat2, dirfd, "sub/../file", &beneath_how, sizeof beneath_how)));
	/* capmode.cc, AllowedAtSyscalls. */
	ALLOW("mkdirat_subdir", syscall(SYS_mkdirat, dirfd, "subdir", 0700));
	ALLOW("fchmodat_subdir", syscall(SYS_fchmodat, dirfd, "subdir", 0755));
	ALLOW("faccessat_subdir", syscall(SYS_faccessat, dirfd, "subdir", F_OK));
	ALLOW("renameat_subdir", syscall(SYS_renameat, dirfd, "subdir", dirfd, "subdir2"));
	ALLOW("renameat_subdir_back", syscall(SYS_renameat, dirfd, "subdir2", dirfd, "subdir"));
	ALLOW("futimesat_beneath", syscall(SYS_futimesat, dirfd, "file", NULL));
	ALLOW("fchownat_beneath", syscall(SYS_fchownat, dirfd, "file", -1, -1, 0));
	ALLOW("unlinkat_subdir", syscall(SYS_unlinkat, dirfd, "subdir", AT_REMOVEDIR));
	ALLOW("readlinkat_bad_fd", syscall(SYS_readlinkat, -1, "symlink.samedir", buf, sizeof buf));
	/* fexecve.cc, Execve.InCapMode: fexecve is allowed (this file is not
	 * executable, so it fails EACCES and the run goes on). */
	ALLOW("execveat_fexecve", syscall(SYS_execveat, filefd, "", noargv, environ, AT_EMPTY_PATH));

	/* capmode.cc, AllowedFileSyscalls. */
	ALLOW("dup2", syscall(SYS_dup2, rwfd, 100));
	ALLOW("dup3", syscall(SYS_dup3, rwfd, 100, O_CLOEXEC));
	ALLOW("close_dup", syscall(SYS_close, 100));
	ALLOW("write_file", syscall(SYS_write, rwfd, "123", 3));
	ALLOW("pwrite64", syscall(SYS_pwrite64, rwfd, "1", 1, 0));
	ALLOW("pread64", syscall(SYS_pread64, rwfd, buf, 1, 0));
	ALLOW("pwritev", syscall(SYS_pwritev, rwfd, &wiov, 1, 0, 0));
	ALLOW("preadv", syscall(SYS_preadv, rwfd, &wiov, 1, 0, 0));
	ALLOW("writev", syscall(SYS_writev, rwfd, &wiov, 1));
	ALLOW("readv", syscall(SYS_readv, rwfd, &wiov, 1));
	ALLOW("syncfs", syscall(SYS_syncfs, rwfd));
	ALLOW("sync_file_range", syscall(SYS_sync_file_range, rwfd, 0, 1, 0));
	ALLOW("readahead", syscall(SYS_readahead, rwfd, 0, 1));
	/* capmode.cc, AllowedSocketSyscalls and AllowedMmsgSendRecv: calls
	 * that fail for want of a peer, but not for capability mode. */
	ALLOW("recvfrom_dontwait", syscall(SYS_recvfrom, udp, NULL, 0, MSG_DONTWAIT, NULL, NULL));
	ALLOW("accept_udp", syscall(SYS_accept, udp, NULL, NULL));
	ALLOW("getpeername", syscall(SYS_getpeername, udp, NULL, NULL));
	ALLOW("getsockname", syscall(SYS_getsockname, udp, NULL, NULL));
	ALLOW("recvmsg_null", syscall(SYS_recvmsg, udp, NULL, 0));
	ALLOW("sendmsg_null", syscall(SYS_sendmsg, udp, NULL, 0));
	ALLOW("sendto_null", syscall(SYS_sendto, udp, NULL, 0, 0, NULL, 0));
	off = 0;
	ALLOW("sendfile", syscall(SYS_sendfile, udp, filefd, &off, 1));
	ALLOW("recvmmsg", syscall(SYS_recvmmsg, udp, &mm, 1, MSG_DONTWAIT, &ts));
	ALLOW("sendmmsg_no_address", syscall(SYS_sendmmsg, udp, &mm, 1, 0));
	ALLOW("socketpair_stream", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
	close(fds[0]);
	close(fds[1]);
	ALLOW("socket_tcp", socket_closed(AF_INET, SOCK_STREAM, 0));
	ALLOW("socket_tcp6", socket_closed(AF_INET6, SOCK_STREAM, IPPROTO_TCP));
	ALLOW("socket_udp6", socket_closed(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	ALLOW("socket_unix", socket_closed(AF_UNIX, SOCK_SEQPACKET, 0));
	/* capmode.cc, AllowedIdentifierSyscalls (to the values they have). */
	ALLOW("getegid", syscall(SYS_getegid));
	ALLOW("geteuid", syscall(SYS_geteuid));
	ALLOW("getgid", syscall(SYS_getgid));
	ALLOW("getppid", syscall(SYS_getppid));
	ALLOW("getgroups", syscall(SYS_getgroups, 64, groups));
	ALLOW("getresuid", syscall(SYS_getresuid, &uid, &euid, &suid));
	ALLOW("getresgid", syscall(SYS_getresgid, &gid, &egid, &sgid));
	ALLOW("setgid", syscall(SYS_setgid, gid));
	ALLOW("setfsgid", syscall(SYS_setfsgid, gid));
	ALLOW("setuid", syscall(SYS_setuid, uid));
	ALLOW("setfsuid", syscall(SYS_setfsuid, uid));
	ALLOW("setregid", syscall(SYS_setregid, gid, gid));
	ALLOW("setresgid", syscall(SYS_setresgid, gid, gid, gid));
	ALLOW("setreuid", syscall(SYS_setreuid, uid, uid));
	ALLOW("setresuid", syscall(SYS_setresuid, uid, uid, uid));
	ALLOW("setsid", syscall(SYS_setsid));
	/* capmode.cc, AllowedSchedSyscalls. */
	ALLOW("sched_getparam", syscall(SYS_sched_getparam, 0, &sp));
	ALLOW("sched_setscheduler", syscall(SYS_sched_setscheduler, 0, policy, &sp));
	ALLOW("sched_setparam", syscall(SYS_sched_setparam, 0, &sp));
	ALLOW("sched_get_priority_max", syscall(SYS_sched_get_priority_max, policy));
	ALLOW("sched_get_priority_min", syscall(SYS_sched_get_priority_min, policy));
	ALLOW("sched_rr_get_interval", syscall(SYS_sched_rr_get_interval, 0, &ts));
	ALLOW("sched_yield", syscall(SYS_sched_yield));
	/* capmode.cc, AllowedTimerSyscalls. */
	ALLOW("clock_getres", syscall(SYS_clock_getres, CLOCK_REALTIME, &ts));
	ALLOW("getitimer", syscall(SYS_getitimer, ITIMER_REAL, &itv));
	ALLOW("setitimer", syscall(SYS_setitimer, ITIMER_REAL, &itv, NULL));
	ALLOW("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
	/* capmode.cc, AllowedResourceSyscalls. */
	ALLOW("setpriority_self", syscall(SYS_setpriority, PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0)));
	ALLOW("getrlimit", syscall(SYS_getrlimit, RLIMIT_CORE, &rl));
	ALLOW("setrlimit", syscall(SYS_setrlimit, RLIMIT_CORE, &rl));
	ALLOW("getrusage", syscall(SYS_getrusage, RUSAGE_SELF, &ru));
	/* capmode.cc, AllowedMmapSyscalls. */
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ALLOW("msync", syscall(SYS_msync, mem, 4096, MS_ASYNC));
	ALLOW("madvise", syscall(SYS_madvise, mem, 4096, MADV_NORMAL));
	ALLOW("mincore", syscall(SYS_mincore, mem, 4096, vec));
	ALLOW("mprotect", syscall(SYS_mprotect, mem, 4096, PROT_READ | PROT_WRITE));
	ALLOW("mlock", syscall(SYS_mlock, mem, 4096));
	ALLOW("munlock", syscall(SYS_munlock, mem, 4096));
	ALLOW("munmap", syscall(SYS_munmap, mem, 4096));
	/* capmode.cc, AllowedPipeSyscalls (vmsplice from the older,
	 * Linux-aware version of the file). */
	ALLOW("pipe", syscall(SYS_pipe, fds));
	ALLOW("vmsplice", syscall(SYS_vmsplice, fds[0], &wiov, 1, SPLICE_F_NONBLOCK));
	close(fds[0]);
	close(fds[1]);
	ALLOW("pipe2", syscall(SYS_pipe2, fds, O_CLOEXEC));
	close(fds[0]);
	close(fds[1]);
	/* capmode.cc, AllowedMiscSyscalls. */
	ALLOW("sigaltstack", syscall(SYS_sigaltstack, NULL, &ss));
	ALLOW("sync", syscall(SYS_sync));
	/* select.cc: select and poll work in capability mode. */
	FD_ZERO(&rset);
	FD_SET(pipefd[0], &rset);
	tv.tv_sec = tv.tv_usec = 0;
	ALLOW("select", syscall(SYS_select, pipefd[0] + 1, &rset, NULL, NULL, &tv));
	ts.tv_sec = ts.tv_nsec = 0;
	FD_SET(pipefd[0], &rset);
	ALLOW("pselect6", syscall(SYS_pselect6, pipefd[0] + 1, &rset, NULL, NULL, &ts, NULL));
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	ALLOW("poll", syscall(SYS_poll, &pfd, 1, 0));
	ALLOW("ppoll", syscall(SYS_ppoll, &pfd, 1, &ts, NULL, 8));
	/* sysctl.cc, Sysctl.Capability: kern.osreldate ~ uname. */
	ALLOW("uname", syscall(SYS_uname, &un));
	/* mqueue.cc: a queue opened before cap_enter is usable. */
	ts.tv_sec = 0;
	ALLOW("mq_timedsend", syscall(SYS_mq_timedsend, mqd, "x", 1, 10, &ts));
	ALLOW("mq_getsetattr", syscall(SYS_mq_getsetattr, mqd, NULL, buf));
	ALLOW("mq_timedreceive", syscall(SYS_mq_timedreceive, mqd, buf, sizeof buf, NULL, &ts));
	ALLOW("mq_notify", syscall(SYS_mq_notify, mqd, NULL));
	/* linux.cc: epoll (kqueue's counterpart), getrandom, and another
	 * process's CPU clock (ProcessClocks). */
	epfd = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	ALLOW("epoll_create1", epfd);
	ALLOW("epoll_ctl", syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, pipefd[0], &ev));
	ALLOW("epoll_pwait", syscall(SYS_epoll_pwait, epfd, &ev, 1, 0, NULL, 8));
	ALLOW("clock_gettime_other_cpu", syscall(SYS_clock_gettime, (clockid_t)((~(unsigned)getppid() << 3) | 0), &ts));

	/* procdesc.cc, Pdfork.DaemonUnrestricted and Pdkill: pdfork is
	 * clone(CLONE_PIDFD), pdkill pidfd_send_signal, pdwait waitid(P_PIDFD);
	 * a group signal through the descriptor is kill(-pgid). */
	child = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, NULL);
	if (child == 0)
		syscall(SYS_exit_group, 0);
	ALLOW("clone_pidfd_pdfork", child);
	ALLOW("pidfd_send_signal_pdkill", syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
	CAPMODE("pidfd_send_signal_group", syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, PIDFD_SIGNAL_PROCESS_GROUP));
	ALLOW("waitid_pidfd_pdwait", syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL));
	/* smoketest.c: wait4(-1) is allowed (it ignores pdfork children). */
	ALLOW("wait4_any", syscall(SYS_wait4, -1, &status, WNOHANG, NULL));

	/* capmode.cc, NewThread: threads old and new are in capability
	 * mode; a child forked now is too; one forked before is not. */
	if (write(thread_pipe[1], "x", 1) == 1)
		pthread_join(early, NULL);
	if (pthread_create(&late, NULL, late_thread, NULL) == 0)
		pthread_join(late, NULL);
	if (write(proc_pipe[1], "x", 1) != 1 ||
	    syscall(SYS_wait4, early_child, &status, 0, NULL) != early_child ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		failures++;
		printf("child forked before cap_enter could not open a file FAIL\n");
	}
	child = (pid_t)syscall(SYS_fork);
	if (child == 0) {
		failures = 0;
		CAPMODE("child_open", syscall(SYS_open, "/etc/passwd", O_RDONLY));
		ALLOW("child_getpid", syscall(SYS_getpid));
		syscall(SYS_exit_group, failures);
	}
	ALLOW("fork", child);
	/* capmode.cc, SelfKill: kill(2) reaches only the caller. */
	CAPMODE("kill_child", syscall(SYS_kill, child, 0));
	ALLOW("wait4", syscall(SYS_wait4, child, &status, 0, NULL));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		failures++;
		printf("child in capability mode failed\n");
	}

	printf("conformance: %d calls, %d failed\n", calls, failures);
	return failures == 0 ? 0 : 1;
}
