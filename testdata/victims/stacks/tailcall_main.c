/* The program around libtailcall.so (tailcall.c built with -DTAILCALL_LIB):
 * built at -O0, so that main keeps its frame. */
int tailcall_main(int argc, char **argv);

int main(int argc, char **argv)
{
	int r = tailcall_main(argc, argv); // LINE:lib_main
	return r;
}
