// New project: the short name follows the name as it is typed, until it is typed by hand.
// Without this script the server makes the same from the name when the field is left empty
// (services/projects.py, slug_from_name), and also picks a free one if this one is taken.
(function () {
  "use strict";
  var name = document.getElementById("name");
  var slug = document.getElementById("slug");
  if (!name || !slug) { return; }
  var follows = slug.value === "";

  function slugFromName(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[^\x00-\x7f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56).replace(/-+$/, "");
  }

  name.addEventListener("input", function () {
    if (follows) { slug.value = slugFromName(name.value); }
  });
  slug.addEventListener("input", function () { follows = slug.value === ""; });
}());
