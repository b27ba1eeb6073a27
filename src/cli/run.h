#pragma once

namespace credpool::cli {

// Runs the credpool command line and returns the process exit code: 0 on success, 2 for a
// command-line syntax error (unknown flag, missing argument; the message names it), 1 for every
// other failure. Messages go to stderr. Throws only what a bug lets escape (main catches it).
int run(int argc, char** argv);

}  // namespace credpool::cli
