import FuzzDriver
import VipdConfig

/// A sorry-page response file (`http.sorry_page`) as the config loader and the import read it.
fuzzMain { input in
    if case .success(let file) = HTTPResponseFile.parse(Array(input)) {
        _ = file.field("content-type")
    }
}
