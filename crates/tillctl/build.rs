fn main() {
    till_buildinfo::emit();
}
