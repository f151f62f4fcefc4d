// firmware/main.cpp - edgecur entry point.
int main() { return 0; }
