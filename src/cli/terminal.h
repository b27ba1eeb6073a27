#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace credpool::cli {

// Returns true when both stdin and stdout are terminals (interactive mode, masked prompts).
bool is_interactive();
// Returns true when stdin is a terminal.
bool stdin_is_terminal();
// Returns true when stdout is a terminal (screen control codes are only for a terminal).
bool stdout_is_terminal();

// Prints `prompt` on stderr and reads one line from the terminal with echo off. Returns nullopt
// at end of input. The line's trailing newline is removed.
std::optional<std::string> read_masked_line(const std::string& prompt);

// Reads all of `in` and removes one trailing newline ("\n" or "\r\n"), for `--api-key -`
// (auth add then trims any other surrounding whitespace).
std::string read_secret_from(std::istream& in);

}  // namespace credpool::cli
