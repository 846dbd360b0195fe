package capmode

import "sync"

// FreeBSD returns the FreeBSD/amd64 table.
//
// Source: sys/kern/syscalls.master, transcribed (numbers, names and the
// CAPENABLED flag; no code). Checked entry by entry against
// kostikbel/freebsd-src at 7fbdafd437f758b9bdd7a3b2fd7bbcb521b51907 and,
// for 1-148 and 561-603, bnovkov/freebsd-src at
// 53bbd0e8637fd18a385bda1a65da876da12674b1: both track main in 2025-26 and
// agree on 1-602 except ptrace (26), CAPENABLED only in kostikbel's, whose
// branch also adds 603 pdopenpid and 604 pddupfd where bnovkov's adds 603
// setrlimit_uid; the non-CAPENABLED ptrace and the end at 602 (renameat2)
// are kept until main settles them. freebsd/freebsd-src itself could not be
// used: its snapshot (3.7 GB) is over the fetch limit and the indexed copy
// (01705359e2d1) predates wait4 and vfork becoming CAPENABLED and is
// corrupt from 588 on. OBSOL, RESERVED, UNIMPL and the syscall
// multiplexers (0, 198) are not syscalls a process can be caught making.
// COMPAT entries carry their kernel names: "o" for 4.3BSD, "freebsdN_"
// for COMPAT_FREEBSDN.
func FreeBSD() *Table {
	freebsdOnce.Do(func() { freebsdTable = newTable("freebsd", freebsdABI(), freebsdEntries()) })
	return freebsdTable
}

var (
	freebsdOnce  sync.Once
	freebsdTable *Table
)

// freebsdSyscalls: "number name" and "c" when CAPENABLED.
const freebsdSyscalls = `
1 _exit c
2 fork c
3 read c
4 write c
5 open
6 close c
7 wait4 c
8 ocreat
9 link
10 unlink
12 chdir
13 fchdir
14 freebsd11_mknod
15 chmod
16 chown
17 break c
18 freebsd4_getfsstat
19 olseek c
20 getpid c
21 mount
22 unmount
23 setuid c
24 getuid c
25 geteuid c
26 ptrace
27 recvmsg c
28 sendmsg c
29 recvfrom c
30 accept c
31 getpeername c
32 getsockname c
33 access
34 chflags
35 fchflags c
36 sync c
37 kill c
38 ostat
39 getppid c
40 olstat
41 dup c
42 freebsd10_pipe c
43 getegid c
44 profil c
45 ktrace
46 osigaction c
47 getgid c
48 osigprocmask c
49 getlogin c
50 setlogin
51 acct
52 osigpending c
53 sigaltstack c
54 ioctl c
55 reboot
56 revoke
57 symlink
58 readlink
59 execve
60 umask c
61 chroot
62 ofstat c
63 ogetkerninfo
64 ogetpagesize c
65 msync c
66 vfork c
71 ommap c
72 freebsd11_vadvise
73 munmap c
74 mprotect c
75 madvise c
78 mincore c
79 freebsd14_getgroups c
80 freebsd14_setgroups
81 getpgrp c
82 setpgid
83 setitimer c
84 owait
85 swapon
86 getitimer c
87 ogethostname c
88 osethostname
89 getdtablesize c
90 dup2 c
92 fcntl c
93 select c
95 fsync c
96 setpriority c
97 socket c
98 connect
99 oaccept c
100 getpriority c
101 osend c
102 orecv c
103 osigreturn c
104 bind
105 setsockopt c
106 listen c
108 osigvec c
109 osigblock c
110 osigsetmask c
111 osigsuspend c
112 osigstack c
113 orecvmsg c
114 osendmsg c
116 gettimeofday c
117 getrusage c
118 getsockopt c
120 readv c
121 writev c
122 settimeofday
123 fchown c
124 fchmod c
125 orecvfrom c
126 setreuid c
127 setregid c
128 rename
129 otruncate
130 oftruncate c
131 flock c
132 mkfifo
133 sendto c
134 shutdown c
135 socketpair c
136 mkdir
137 rmdir
138 utimes
140 adjtime
141 ogetpeername c
142 ogethostid c
143 osethostid
144 ogetrlimit c
145 osetrlimit c
146 okillpg
147 setsid c
148 quotactl
149 oquota
150 ogetsockname c
154 nlm_syscall
155 nfssvc
156 ogetdirentries c
157 freebsd4_statfs
158 freebsd4_fstatfs c
160 lgetfh
161 getfh
162 freebsd4_getdomainname c
163 freebsd4_setdomainname
164 freebsd4_uname
165 sysarch c
166 rtprio c
169 semsys
170 msgsys
171 shmsys
173 freebsd6_pread c
174 freebsd6_pwrite c
175 setfib
176 ntp_adjtime
181 setgid c
182 setegid c
183 seteuid c
188 freebsd11_stat
189 freebsd11_fstat c
190 freebsd11_lstat
191 pathconf
192 fpathconf c
194 getrlimit c
195 setrlimit c
196 freebsd11_getdirentries c
197 freebsd6_mmap c
199 freebsd6_lseek c
200 freebsd6_truncate
201 freebsd6_ftruncate c
202 __sysctl c
203 mlock c
204 munlock c
205 undelete
206 futimes c
207 getpgid c
209 poll c
220 freebsd7___semctl
221 semget
222 semop
224 freebsd7_msgctl
225 msgget
226 msgsnd
227 msgrcv
228 shmat
229 freebsd7_shmctl
230 shmdt
231 shmget
232 clock_gettime c
233 clock_settime
234 clock_getres c
235 ktimer_create c
236 ktimer_delete c
237 ktimer_settime c
238 ktimer_gettime c
239 ktimer_getoverrun c
240 nanosleep c
241 ffclock_getcounter
242 ffclock_setestimate
243 ffclock_getestimate
244 clock_nanosleep c
247 clock_getcpuclockid2
248 ntp_gettime c
250 minherit c
251 rfork c
253 issetugid c
254 lchown
255 aio_read c
256 aio_write c
257 lio_listio c
272 freebsd11_getdents c
274 lchmod
276 lutimes
278 freebsd11_nstat
279 freebsd11_nfstat
280 freebsd11_nlstat
289 preadv c
290 pwritev c
297 freebsd4_fhstatfs
298 fhopen
299 freebsd11_fhstat
300 modnext
301 modstat
302 modfnext
303 modfind
304 kldload
305 kldunload
306 kldfind
307 kldnext
308 kldstat
309 kldfirstmod
310 getsid c
311 setresuid c
312 setresgid c
314 aio_return c
315 aio_suspend c
316 aio_cancel c
317 aio_error c
318 freebsd6_aio_read c
319 freebsd6_aio_write c
320 freebsd6_lio_listio c
321 yield c
324 mlockall c
325 munlockall c
326 __getcwd
327 sched_setparam c
328 sched_getparam c
329 sched_setscheduler c
330 sched_getscheduler c
331 sched_yield c
332 sched_get_priority_max c
333 sched_get_priority_min c
334 sched_rr_get_interval c
335 utrace c
336 freebsd4_sendfile c
337 kldsym
338 jail
339 nnpfs_syscall
340 sigprocmask c
341 sigsuspend c
342 freebsd4_sigaction c
343 sigpending c
344 freebsd4_sigreturn c
345 sigtimedwait c
346 sigwaitinfo c
347 __acl_get_file
348 __acl_set_file
349 __acl_get_fd c
350 __acl_set_fd c
351 __acl_delete_file
352 __acl_delete_fd c
353 __acl_aclcheck_file
354 __acl_aclcheck_fd c
355 extattrctl
356 extattr_set_file
357 extattr_get_file
358 extattr_delete_file
359 aio_waitcomplete c
360 getresuid c
361 getresgid c
362 kqueue c
363 freebsd11_kevent c
371 extattr_set_fd c
372 extattr_get_fd c
373 extattr_delete_fd c
374 __setugid
376 eaccess
377 afs3_syscall
378 nmount
384 __mac_get_proc c
385 __mac_set_proc c
386 __mac_get_fd c
387 __mac_get_file
388 __mac_set_fd c
389 __mac_set_file
390 kenv
391 lchflags
392 uuidgen c
393 sendfile c
394 mac_syscall
395 freebsd11_getfsstat
396 freebsd11_statfs
397 freebsd11_fstatfs c
398 freebsd11_fhstatfs
400 ksem_close
401 ksem_post
402 ksem_wait
403 ksem_trywait
404 ksem_init
405 ksem_open
406 ksem_unlink
407 ksem_getvalue
408 ksem_destroy
409 __mac_get_pid
410 __mac_get_link
411 __mac_set_link
412 extattr_set_link
413 extattr_get_link
414 extattr_delete_link
415 __mac_execve
416 sigaction c
417 sigreturn c
421 getcontext c
422 setcontext c
423 swapcontext
424 freebsd13_swapoff
425 __acl_get_link
426 __acl_set_link
427 __acl_delete_link
428 __acl_aclcheck_link
429 sigwait c
430 thr_create c
431 thr_exit c
432 thr_self c
433 thr_kill c
434 freebsd10__umtx_lock
435 freebsd10__umtx_unlock
436 jail_attach
437 extattr_list_fd c
438 extattr_list_file
439 extattr_list_link
441 ksem_timedwait
442 thr_suspend c
443 thr_wake c
444 kldunloadf
445 audit
446 auditon
447 getauid c
448 setauid c
449 getaudit c
450 setaudit c
451 getaudit_addr c
452 setaudit_addr c
453 auditctl
454 _umtx_op c
455 thr_new c
456 sigqueue c
457 kmq_open
458 kmq_setattr c
459 kmq_timedreceive c
460 kmq_timedsend c
461 kmq_notify c
462 kmq_unlink
463 abort2 c
464 thr_set_name c
465 aio_fsync c
466 rtprio_thread c
471 sctp_peeloff c
472 sctp_generic_sendmsg c
473 sctp_generic_sendmsg_iov c
474 sctp_generic_recvmsg c
475 pread c
476 pwrite c
477 mmap c
478 lseek c
479 truncate
480 ftruncate c
481 thr_kill2
482 freebsd12_shm_open c
483 shm_unlink
484 cpuset
485 cpuset_setid
486 cpuset_getid
487 cpuset_getaffinity c
488 cpuset_setaffinity c
489 faccessat c
490 fchmodat c
491 fchownat c
492 fexecve c
493 freebsd11_fstatat c
494 futimesat c
495 linkat c
496 mkdirat c
497 mkfifoat c
498 freebsd11_mknodat c
499 openat c
500 readlinkat c
501 renameat c
502 symlinkat c
503 unlinkat c
504 posix_openpt
506 jail_get
507 jail_set
508 jail_remove
509 freebsd12_closefrom c
510 __semctl
511 msgctl
512 shmctl
513 lpathconf
515 __cap_rights_get c
516 cap_enter c
517 cap_getmode c
518 pdfork c
519 pdkill c
520 pdgetpid c
522 pselect c
523 getloginclass c
524 setloginclass
525 rctl_get_racct
526 rctl_get_rules
527 rctl_get_limits
528 rctl_add_rule
529 rctl_remove_rule
530 posix_fallocate c
531 posix_fadvise c
532 wait6
533 cap_rights_limit c
534 cap_ioctls_limit c
535 cap_ioctls_get c
536 cap_fcntls_limit c
537 cap_fcntls_get c
538 bindat c
539 connectat c
540 chflagsat c
541 accept4 c
542 pipe2 c
543 aio_mlock
544 procctl
545 ppoll c
546 futimens c
547 utimensat c
550 fdatasync c
551 fstat c
552 fstatat c
553 fhstat
554 getdirentries c
555 statfs
556 fstatfs c
557 getfsstat
558 fhstatfs
559 mknodat c
560 kevent c
561 cpuset_getdomain c
562 cpuset_setdomain c
563 getrandom c
564 getfhat
565 fhlink
566 fhlinkat
567 fhreadlink
568 funlinkat c
569 copy_file_range c
570 __sysctlbyname c
571 shm_open2 c
572 shm_rename
573 sigfastblock c
574 __realpathat
575 close_range c
576 rpctls_syscall
577 __specialfd c
578 aio_writev c
579 aio_readv c
580 fspacectl c
581 sched_getcpu c
582 swapoff
583 kqueuex c
584 membarrier c
585 timerfd_create c
586 timerfd_gettime c
587 timerfd_settime c
588 kcmp
589 getrlimitusage c
590 fchroot
591 setcred c
592 exterrctl c
593 inotify_add_watch_at c
594 inotify_rm_watch c
595 getgroups c
596 setgroups
597 jail_attach_jd
598 jail_remove_jd
599 kexec_load
600 pdrfork c
601 pdwait c
602 renameat2 c
`
