/*
 * Linux has no Capsicum. captrace's default enter point is the first call
 * of a function named cap_enter, so the victims define one that does
 * nothing: under captrace, capability mode (emulated) begins there.
 */
#ifndef CAPSICUM_STUB_H
#define CAPSICUM_STUB_H
__attribute__((noinline, used)) int cap_enter(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

/*
 * At -O2 a call in tail position becomes a jump and its caller's frame is
 * gone from every stack; victims put this after such calls so the call
 * site they mark is the frame a test expects.
 */
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")
#endif
