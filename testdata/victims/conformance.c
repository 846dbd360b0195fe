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
 * sys/kern/uipc_syscalls.c (sendit), sys/kern/kern_sig.c (kill),
 * sys/kern/kern_cpuset.c (cpuset_check_capabilities), and the
 * Capsicum test suite's capmode.cc. Paths that must not be touched in audit
 * mode name /nonexistent, so the run is harmless even when nothing is
 * refused.
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
#include <sys/inotify.h>
#include <sys/mman.h>
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
	static const char *dirs[] = {"outside", "root", "root/sub", "root/sub/inner"};
	static const char *files[] = {"outside/secret", "root/file", "root/sub/file", "root/renameme"};
	static const char *links[][2] = {
		{"sub", "root/link_in"}, {"..", "root/link_up"}, {"/etc", "root/link_abs"},
		{"../newfile", "root/dangling_out"},
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
	siginfo_t si;
	cpu_set_t cpus;
	char buf[4096];
	char *const noargv[] = {"x", NULL};
	int dirfd, filefd, pipefd[2], pair[2], udp, inofd, status;
	pid_t child;

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
	if (filefd < 0 || pipe2(pipefd, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) != 0 ||
	    (udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (inofd = inotify_init1(IN_CLOEXEC)) < 0) {
		perror("conformance: set up descriptors");
		return 2;
	}

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
	child = (pid_t)syscall(SYS_fork);
	if (child == 0)
		syscall(SYS_exit_group, 0);
	ALLOW("fork", child);
	ALLOW("wait4", syscall(SYS_wait4, child, &status, 0, NULL));

	printf("conformance: %d calls, %d failed\n", calls, failures);
	return failures == 0 ? 0 : 1;
}
