/*
 * Prints what the shim's macros and functions compute, for shim_test.go
 * to compare with package rights: cap_rights_init/set/clear/is_set,
 * merge/remove/contains/is_valid/is_empty, and the no-op answers of the
 * calls without captrace.
 */
#include <sys/capsicum.h>
#include <capsicum_helpers.h>
#include <stdio.h>

static void
words(const char *name, const cap_rights_t *r)
{
	printf("%s %016llx %016llx\n", name, (unsigned long long)r->cr_rights[0],
	    (unsigned long long)r->cr_rights[1]);
}

int
main(void)
{
	cap_rights_t a, b, c;
	cap_ioctl_t cmds[4];
	uint32_t fcntls;
	unsigned int mode = 7;
	int n;

	words("init", cap_rights_init(&a, CAP_READ, CAP_FSTAT, CAP_EVENT));
	words("set", cap_rights_set(&a, CAP_MKDIRAT, CAP_IOCTL));
	words("clear", cap_rights_clear(&a, CAP_MKDIRAT));
	printf("is_set %d %d %d\n", cap_rights_is_set(&a, CAP_READ, CAP_EVENT),
	    cap_rights_is_set(&a, CAP_LOOKUP), cap_rights_is_set(&a, CAP_PREAD));
	cap_rights_init(&b, CAP_WRITE);
	words("merge", cap_rights_merge(&b, &a));
	cap_rights_init(&c, CAP_READ);
	words("remove", cap_rights_remove(&b, &c));
	printf("contains %d %d\n", cap_rights_contains(&b, &c), cap_rights_contains(&a, &c));
	printf("valid %d", cap_rights_is_valid(&a));
	c.cr_rights[0] |= 1ULL << 50;
	printf(" %d\n", cap_rights_is_valid(&c));
	cap_rights_init(&c);
	printf("empty %d %d\n", cap_rights_is_empty(&c), cap_rights_is_empty(&a));
	printf("errno %d %d\n", ENOTCAPABLE, ECAPMODE);
	printf("fcntl %#x %#x\n", CAP_FCNTL_GETFL, CAP_FCNTL_ALL);
	/* Without captrace: no-ops that succeed. */
	printf("cap_enter %d\n", cap_enter());
	n = cap_getmode(&mode);
	printf("cap_getmode %d %u sandboxed %d\n", n, mode, cap_sandboxed());
	printf("cap_rights_limit %d\n", cap_rights_limit(0, &a));
	cap_rights_init(&c);
	printf("cap_rights_get %d\n", cap_rights_get(0, &c));
	words("got", &c);
	printf("cap_ioctls_get %zd\n", cap_ioctls_get(0, cmds, 4));
	n = cap_fcntls_get(0, &fcntls);
	printf("cap_fcntls_get %d %#x\n", n, fcntls);
	printf("caph_enter %d caph_limit_stdio %d\n", caph_enter(), caph_limit_stdio());
	return (0);
}
