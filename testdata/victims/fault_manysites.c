/*
 * fault_manysites: one violation at each of 1,000 distinct functions, for a
 * report big enough that writing it takes a while (the atomic-write test).
 * Each opens its own path, so -O2 (identical code folding) keeps them apart.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "capsicum_stub.h"

#define SITE1(n) __attribute__((noinline)) static void site_##n(void) \
	{ close(open("/nonexistent/captrace-many-" #n, O_RDONLY)); NO_TAIL_CALL(); }
#define SITE10(n) SITE1(n##0) SITE1(n##1) SITE1(n##2) SITE1(n##3) SITE1(n##4) \
	SITE1(n##5) SITE1(n##6) SITE1(n##7) SITE1(n##8) SITE1(n##9)
#define SITE100(n) SITE10(n##0) SITE10(n##1) SITE10(n##2) SITE10(n##3) SITE10(n##4) \
	SITE10(n##5) SITE10(n##6) SITE10(n##7) SITE10(n##8) SITE10(n##9)
#define CALL1(n) site_##n();
#define CALL10(n) CALL1(n##0) CALL1(n##1) CALL1(n##2) CALL1(n##3) CALL1(n##4) \
	CALL1(n##5) CALL1(n##6) CALL1(n##7) CALL1(n##8) CALL1(n##9)
#define CALL100(n) CALL10(n##0) CALL10(n##1) CALL10(n##2) CALL10(n##3) CALL10(n##4) \
	CALL10(n##5) CALL10(n##6) CALL10(n##7) CALL10(n##8) CALL10(n##9)

SITE100(1) SITE100(2) SITE100(3) SITE100(4) SITE100(5)
SITE100(6) SITE100(7) SITE100(8) SITE100(9) SITE100(0)

int main(void)
{
	cap_enter();
	CALL100(1) CALL100(2) CALL100(3) CALL100(4) CALL100(5)
	CALL100(6) CALL100(7) CALL100(8) CALL100(9) CALL100(0)
	return 0;
}
