// A module that fails while loading.
throw new Error('cannot reach the license server');
