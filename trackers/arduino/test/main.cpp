// Runs every host test; an argument runs only the tests whose name contains it.
#include "check.h"

int main(int argc, char** argv) { return check::run(argc > 1 ? argv[1] : ""); }
