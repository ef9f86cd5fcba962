// A module that loads fine but exports no adapter.
exports.somethingElse = 1;
