//! The output folder: what `mend build` keeps, refuses and locks, and how it
//! swaps a new site in, checked on real folders.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

#[test]
fn an_output_folder_holding_the_users_files_is_refused_then_kept_with_force() {
    let site = fixture("blog");
    let out = site.path().join("out");
    write(&out, "notes.txt", "my notes");
    write(&out, "drafts/plan.md", "my plan");
    let out_arg = out.display().to_string();
    let stderr = error_of("build", site.path(), &["--output", &out_arg]);
    assert_eq!(
        stderr,
        "error: ROOT/out: holds files mend did not write (drafts, notes.txt); mend never deletes them, so it does not build into this folder: empty it, choose another --output, or pass --force to build beside them (they are kept)\n"
    );
    assert_eq!(read(out.join("notes.txt")), "my notes");
    assert!(!out.join("index.html").exists());
    // A refused build leaves nothing beside the folder either.
    assert!(!site.path().join(".out.mend-lock").exists());

    for _ in 0..3 {
        build(site.path(), &["--quiet", "--force", "--output", &out_arg]);
        assert_eq!(read(out.join("notes.txt")), "my notes");
        assert_eq!(read(out.join("drafts/plan.md")), "my plan");
        assert!(out.join("index.html").is_file());
    }
    // Once accepted with --force, the same files no longer stop a build.
    build(site.path(), &["--quiet", "--output", &out_arg]);
    assert_eq!(read(out.join("notes.txt")), "my notes");
    // The lock is taken for the build and gone after it.
    assert!(!site.path().join(".out.mend-lock").exists());
}

#[test]
fn a_git_checkout_as_output_keeps_its_repository_cname_and_dotfiles() {
    let site = fixture("blog");
    let public = site.path().join("public");
    write(&public, ".git/HEAD", "ref: refs/heads/main\n");
    write(&public, ".git/objects/ab/cdef", "object");
    write(&public, "CNAME", "blog.example\n");
    for round in 0..3 {
        build(site.path(), &["--quiet"]);
        assert_eq!(read(public.join(".git/HEAD")), "ref: refs/heads/main\n");
        assert_eq!(read(public.join(".git/objects/ab/cdef")), "object");
        assert_eq!(read(public.join("CNAME")), "blog.example\n");
        assert!(public.join("index.html").is_file());
        if round == 0 {
            write(&public, ".nojekyll", "");
        }
        if round > 0 {
            assert!(public.join(".nojekyll").is_file());
        }
    }
    // A stale page is still removed: only mend's own files ever are.
    fs::remove_file(site.path().join("content/posts/c-third.md")).unwrap();
    build(site.path(), &["--quiet"]);
    assert!(!public.join("posts/c-third").exists());
    assert!(public.join(".git/HEAD").is_file());
}

#[test]
fn a_file_added_inside_the_output_is_never_deleted() {
    let site = fixture("blog");
    let public = build(site.path(), &["--quiet"]);
    write(&public, "posts/a-first/notes.txt", "mine");
    let stderr = error_of("build", site.path(), &[]);
    assert_eq!(
        stderr,
        "error: ROOT/public: holds files mend did not write (posts/a-first/notes.txt); mend never deletes them, so it does not build into this folder: empty it, choose another --output, or pass --force to build beside them (they are kept)\n"
    );
    build(site.path(), &["--quiet", "--force"]);
    build(site.path(), &["--quiet"]);
    assert_eq!(read(public.join("posts/a-first/notes.txt")), "mine");
}

#[test]
fn folders_a_build_left_as_they_were_are_not_read_again_but_changes_are_seen() {
    let site = fixture("blog");
    let root = site.path();
    let public = root.join("public");
    let spare = root.join(".public.mend-spare");
    for _ in 0..4 {
        build(root, &["--quiet"]);
    }
    // Both trees' folders have their stamps in the record.
    let record = read(root.join(".mend/public.record"));
    let stamped = |folder: &str| {
        let end = format!(" {folder}");
        let lines = record.lines();
        lines
            .filter(|l| l.starts_with("dir ") && l.ends_with(&end))
            .count()
    };
    assert_eq!(stamped("posts/a-first"), 2, "{record}");

    // A page taken out of the site goes from both trees.
    fs::remove_file(root.join("content/posts/c-third.md")).unwrap();
    for _ in 0..2 {
        build(root, &["--quiet"]);
        assert!(!public.join("posts/c-third").exists());
    }
    assert!(!spare.join("posts/c-third").exists());

    // A file put into a folder of the spare tree is seen, and not published.
    write(&spare, "posts/a-first/stray.html", "stray");
    build(root, &["--quiet"]);
    assert!(!public.join("posts/a-first/stray.html").exists());
    assert!(!spare.join("posts/a-first/stray.html").exists());

    // A file of the user's put into a folder of the output is seen: refused,
    // and kept.
    write(&public, "posts/b-second/notes.txt", "mine");
    assert_eq!(
        error_of("build", root, &[]),
        "error: ROOT/public: holds files mend did not write (posts/b-second/notes.txt); mend never deletes them, so it does not build into this folder: empty it, choose another --output, or pass --force to build beside them (they are kept)\n"
    );
    build(root, &["--quiet", "--force"]);
    build(root, &["--quiet"]);
    assert_eq!(read(public.join("posts/b-second/notes.txt")), "mine");
}

#[test]
fn a_folder_time_not_older_than_the_build_is_never_trusted() {
    use std::os::unix::fs::MetadataExt;
    let site = fixture("blog");
    let root = site.path();
    build(root, &["--quiet"]);
    build(root, &["--quiet"]);
    // A folder of the spare tree with a time ahead of the build's own, as
    // one changed within the clock's grain of the build would have.
    let folder = root.join(".public.mend-spare/posts/a-first");
    let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    fs::File::open(&folder)
        .unwrap()
        .set_modified(ahead)
        .unwrap();
    build(root, &["--quiet"]);
    // That tree is the output now: its section of the record has stamps for
    // its other folders, none for that one.
    let public = fs::metadata(root.join("public")).unwrap();
    let head = format!("tree {} {} ", public.dev(), public.ino());
    let record = read(root.join(".mend/public.record"));
    let section = record
        .split("\ntree ")
        .map(|s| format!("tree {s}"))
        .find(|s| s.starts_with(&head))
        .expect("the output's section");
    let stamped = |folder: &str| {
        let end = format!(" {folder}");
        section
            .lines()
            .any(|l| l.starts_with("dir ") && l.ends_with(&end))
    };
    assert!(stamped("posts/b-second"), "{section}");
    assert!(!stamped("posts/a-first"), "{section}");
}

#[test]
fn outputs_inside_version_control_or_onto_a_file_are_refused() {
    let site = fixture("blog");
    write(site.path(), ".git/HEAD", "ref: refs/heads/main\n");
    write(site.path(), "notes.txt", "mine");
    let root = site.path().display().to_string();
    for (output, reason) in [
        (".git", "it is inside a version control folder such as .git"),
        (
            ".git/public",
            "it is inside a version control folder such as .git",
        ),
        ("notes.txt", "it is a file, not a folder"),
    ] {
        let stderr = error_of(
            "build",
            site.path(),
            &["--output", &format!("{root}/{output}")],
        );
        assert_eq!(
            stderr,
            format!(
                "error: refusing to write the site into ROOT/{output}: {reason}; pass another --output\n"
            )
        );
    }
    assert_eq!(
        read(site.path().join(".git/HEAD")),
        "ref: refs/heads/main\n"
    );
    assert_eq!(read(site.path().join("notes.txt")), "mine");
}

#[test]
fn a_warm_build_leaves_every_unchanged_file_untouched_with_or_without_its_record() {
    let site = fixture("blog");
    let root = site.path();
    // The output and the spare tree take turns: the third build writes
    // into the first one's tree, the fourth into the second's.
    let public = build(root, &["--quiet"]);
    let first = times(&public);
    build(root, &["--quiet"]);
    let second = times(&public);
    build(root, &["--quiet"]);
    assert_eq!(times(&public), first, "told by the record");
    // Without the record, each file is read and compared.
    fs::remove_file(root.join(".mend/public.record")).unwrap();
    build(root, &["--quiet"]);
    assert_eq!(times(&public), second, "told by reading");
}

#[test]
fn an_output_an_older_mend_wrote_without_a_manifest_is_taken_as_its_own() {
    let site = fixture("blog");
    let root = site.path();
    let public = root.join("public");
    build(root, &["--quiet"]);
    build(root, &["--quiet"]);
    // As a mend that kept no manifest left it: its pages, a spare beside.
    fs::remove_file(public.join(".mend-manifest")).unwrap();
    write(&public, "old-page.html", "an old page of mend's");
    write(&public, "old-folder/index.html", "an old page of mend's");
    write(&public, "CNAME", "blog.example\n");
    build(root, &["--quiet"]);
    assert!(!public.join("old-page.html").exists());
    assert!(!public.join("old-folder").exists());
    assert_eq!(read(public.join("CNAME")), "blog.example\n");
    assert!(public.join(".mend-manifest").is_file());
}

#[test]
fn a_build_stopped_while_it_moved_the_users_files_gives_them_back() {
    let site = fixture("blog");
    let root = site.path();
    let public = root.join("public");
    write(&public, "CNAME", "blog.example\n");
    build(root, &["--quiet"]);
    build(root, &["--quiet"]);
    // Stopped part-way: CNAME went into the spare tree, listed in its
    // handoff, and is missing from the output.
    let spare = root.join(".public.mend-spare");
    fs::rename(public.join("CNAME"), spare.join("CNAME")).unwrap();
    write(&spare, ".mend-handoff", "CNAME\n");
    write(&public, ".mend-handoff", "CNAME\n");
    build(root, &["--quiet"]);
    assert_eq!(read(public.join("CNAME")), "blog.example\n");
    assert!(!public.join(".mend-handoff").exists());
    assert!(!spare.join(".mend-handoff").exists());
    build(root, &["--quiet"]);
    assert_eq!(read(public.join("CNAME")), "blog.example\n");
}

#[test]
fn a_swap_stopped_between_its_two_renames_is_finished_by_the_next_build() {
    let site = fixture("blog");
    let root = site.path();
    let public = root.join("public");
    write(&public, "CNAME", "blog.example\n");
    build(root, &["--quiet"]);
    // The previous site went aside, and the new one never came: the next
    // build puts it back first, the writer's CNAME with it.
    let old = root.join(".public.mend-old");
    fs::rename(&public, &old).unwrap();
    build(root, &["--quiet"]);
    assert_eq!(read(public.join("CNAME")), "blog.example\n");
    assert!(!old.exists());
    // Stopped after the second rename: the old one is only in the way.
    write(&old, "index.html", "stale");
    build(root, &["--quiet"]);
    assert!(!old.exists());
    assert_eq!(read(public.join("CNAME")), "blog.example\n");
}

#[test]
fn an_output_that_reaches_a_source_folder_through_a_link_is_refused() {
    let site = fixture("blog");
    let root = site.path();
    // `alias` leads into content/; `alias/out` does not exist yet.
    std::os::unix::fs::symlink(root.join("content"), root.join("alias")).unwrap();
    let before = snapshot(&root.join("content"));
    let stderr = error_of(
        "build",
        root,
        &["--output", &root.join("alias/out").display().to_string()],
    );
    assert_eq!(
        stderr,
        "error: refusing to write the site into ROOT/alias/out: it is one of the site's source folders; pass another --output\n"
    );
    assert_eq!(snapshot(&root.join("content")), before);
}

#[test]
fn a_second_build_of_the_same_output_is_refused_while_one_runs() {
    let site = fixture("blog");
    let lock_path = site.path().join(".public.mend-lock");
    let lock = fs::File::create(&lock_path).unwrap();
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    let stderr = error_of("build", site.path(), &[]);
    assert_eq!(
        stderr,
        "error: ROOT/public: another build of this site is running (it holds ROOT/.public.mend-lock); wait for it to finish and build again\n"
    );
    assert!(!site.path().join("public").exists());
    // The site loads while the output folder is opened: a mistake in the
    // site is what the writer hears first.
    let bad = site.path().join("content/posts/untitled.md");
    fs::write(&bad, "+++\ndate = 2024-05-01\n+++\nNo title.\n").unwrap();
    assert_eq!(
        error_of("build", site.path(), &[]),
        "error: ROOT/content/posts/untitled.md: front matter has no `title`; add it between the `+++` (or `---`) lines\n"
    );
    fs::remove_file(bad).unwrap();
    drop(lock);
    build(site.path(), &["--quiet"]);
}

#[test]
fn the_output_never_disappears_while_a_build_swaps_it_in() {
    let site = fixture("blog");
    let public = build(site.path(), &["--quiet"]);
    let index = public.join("index.html");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            let mut missing = 0usize;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if index.symlink_metadata().is_err() {
                    missing += 1;
                }
            }
            missing
        })
    };
    let first = site.path().join("content/posts/a-first.md");
    let text = read(&first);
    for n in 0..15 {
        // A change each time, so every build swaps a new tree in.
        fs::write(
            &first,
            text.replace("opening paragraph", &format!("edit {n}")),
        )
        .unwrap();
        build(site.path(), &["--quiet"]);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(watcher.join().unwrap(), 0, "public/index.html was missing");
    assert!(!site.path().join(".public.mend-old").exists());
}

/// Runs `mend build` with the size of any file it writes limited to
/// `kib` KiB, as on a nearly full disk; returns standard error.
fn build_with_file_limit(root: &Path, kib: usize) -> String {
    let binary = assert_cmd::cargo::cargo_bin("mend");
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -f {kib}; trap '' XFSZ; exec \"$0\" build --quiet --root \"$1\""
        ))
        .arg(binary)
        .arg(root)
        .output()
        .unwrap();
    assert!(!output.status.success(), "the build should have failed");
    without_warnings(&String::from_utf8(output.stderr).unwrap())
        .replace(&root.display().to_string(), "ROOT")
}

#[test]
fn a_build_that_runs_out_of_room_removes_its_spare_and_says_so() {
    let site = fixture("blog");
    let public = build(site.path(), &["--quiet"]);
    build(site.path(), &["--quiet"]); // the spare tree now exists
    let before = snapshot(&public);
    write(site.path(), "static/big.bin", &"x".repeat(300 * 1024));
    let stderr = build_with_file_limit(site.path(), 100);
    assert_eq!(
        stderr,
        "error: ROOT/.public.mend-spare/big.bin: cannot write: File too large (os error 27); ROOT/public was left as it was (a build needs free space for a second copy of the files it changes)\n"
    );
    assert_eq!(snapshot(&public), before);
    assert!(!site.path().join(".public.mend-spare").exists());
    build(site.path(), &["--quiet"]);
    assert!(public.join("big.bin").is_file());
}

#[test]
fn what_a_build_keeps_for_itself_is_in_the_sites_mend_folder_and_old_copies_move_there() {
    let site = fixture("search");
    let root = site.path();
    // Where earlier versions kept them: beside the output.
    build(root, &["--quiet"]);
    fs::rename(
        root.join(".mend/public.record"),
        root.join(".public.mend-record"),
    )
    .unwrap();
    fs::rename(
        root.join(".mend/public.search"),
        root.join(".public.mend-search"),
    )
    .unwrap();
    // The search cache's first bytes name it (its seed, made at random):
    // the same bytes after the build mean it moved, not started again.
    let seed = |file: &Path| fs::read(file).unwrap()[..28].to_vec();
    let search = seed(&root.join(".public.mend-search"));
    build(root, &["--quiet"]);
    assert_eq!(
        seed(&root.join(".mend/public.search")),
        search,
        "the cache moved, not started again"
    );
    let beside: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mend-"))
        .collect();
    assert_eq!(
        beside,
        [".public.mend-spare"],
        "only the spare tree stays beside"
    );
    let mut kept: Vec<String> = fs::read_dir(root.join(".mend"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, ["public.record", "public.search"]);
    // An old copy beside, where `.mend/` has one already: it goes.
    fs::copy(
        root.join(".mend/public.search"),
        root.join(".public.mend-search"),
    )
    .unwrap();
    build(root, &["--quiet"]);
    assert!(!root.join(".public.mend-search").exists());
    assert_eq!(seed(&root.join(".mend/public.search")), search);

    // An output elsewhere: nothing but its spare tree beside it.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("site");
    build(root, &["--quiet", "--output", &out.display().to_string()]);
    let mut beside: Vec<String> = fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["site"]);
    assert_eq!(fs::read_dir(root.join(".mend")).unwrap().count(), 4);
}
