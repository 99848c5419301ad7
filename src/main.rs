//! The binary Trunk builds: mounts the console (all of it lives in the library).

fn main() {
    portico_console::start();
}
