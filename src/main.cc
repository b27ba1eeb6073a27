#include <exception>
#include <iostream>

#include "cli/run.h"

// The only catch-all (STYLE.md §4): an escaped exception is a bug, reported and exit 1.
int main(int argc, char** argv) {
  try {
    return credpool::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "credpool: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "credpool: internal error\n";
  }
  return 1;
}
