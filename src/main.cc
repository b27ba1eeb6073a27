// Placeholder entry point; the CLI layer replaces this with credpool::cli::run.
int main() { return 0; }
