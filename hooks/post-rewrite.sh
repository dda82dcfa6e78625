# >>> git-screenlink >>>
# Keeps git-screenlink's records pointing at commits that exist after an amend or rebase.
# Reads git's "old new" lines from stdin; never fails the hook.
if [ "${SCREENLINK_SKIP:-0}" != "1" ] && command -v git-screenlink >/dev/null 2>&1; then
    git-screenlink hook post-rewrite "$1" || true
fi
# <<< git-screenlink <<<
